// Applying fixes to text: the same code serves the tests' .fixed.c files and "fix all safe problems".
import type { Finding, Position, TextEdit } from './types';

/** Offsets of each line start, for turning LSP positions into string offsets. */
export function lineOffsets(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetAt(starts: readonly number[], p: Position, textLength: number): number {
  const base = starts[p.line];
  if (base === undefined) return textLength;
  return Math.min(base + p.character, textLength);
}

/**
 * Apply edits that do not overlap (later overlapping edits are dropped, as an editor would refuse
 * them). Returns the new text.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineOffsets(text);
  const spans = edits
    .map((e) => ({
      from: offsetAt(starts, e.range.start, text.length),
      to: offsetAt(starts, e.range.end, text.length),
      text: e.newText,
    }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const kept: typeof spans = [];
  let end = -1;
  for (const s of spans) {
    if (s.from < end) continue;
    kept.push(s);
    end = Math.max(s.to, s.from);
  }
  let out = '';
  let at = 0;
  for (const s of kept) {
    out += text.slice(at, s.from) + s.text;
    at = s.to;
  }
  return out + text.slice(at);
}

/** The edits of every finding's first safe fix. */
export function safeFixEdits(findings: readonly Finding[]): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.safe);
    if (fix) edits.push(...fix.edits);
  }
  return edits;
}
