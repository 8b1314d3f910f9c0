// Code actions: a finding's fixes, an ignore comment, "disable rule" and "show documentation" per
// diagnostic, all built from Diagnostic.data alone; and the source action that applies every safe fix.
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Fix, Position } from '../analysis';
import { COMMANDS } from '../protocol/requests';
import type { ServerContext, ServerFeature } from './context';
import { readDiagnosticData, SOURCE } from './diagnostics';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;
export const FIX_ALL_TITLE = 'Fix all safe kobject-lifetime problems';

export interface CodeActionOptions {
  /** Build versioned documentChanges (the client then refuses an edit made for another version). */
  documentChanges: boolean;
}

/** Is an action of `kind` wanted by a request restricted to `only` (LSP: hierarchical, dot-separated)? */
export function kindWanted(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => o === '' || kind === o || kind.startsWith(`${o}.`));
}

export function workspaceEdit(
  document: TextDocument,
  edits: TextEdit[],
  options: CodeActionOptions,
): WorkspaceEdit {
  return options.documentChanges
    ? { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] }
    : { changes: { [document.uri]: edits } };
}

/** An ignore comment the analyzer honours on the line below it (src/analysis/analyze.ts applyIgnores). */
const IGNORE_LINE =
  /^([ \t]*)\/\*\s*kobject-lifetime:\s*ignore\s+([\w-]+(?:\s*,\s*[\w-]+)*)\s*\*\/([ \t]*\\)?[ \t]*$/;

/** A line with its end-of-line sequence ('' on the last line). */
function lineOf(document: TextDocument, line: number): { text: string; eol: string } {
  const raw = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const eol = /\r?\n$/.exec(raw)?.[0] ?? '';
  return { text: raw.slice(0, raw.length - eol.length), eol };
}

/**
 * The edit that silences `rule` on `line`: `/* kobject-lifetime: ignore <rule> *\/` on its own line
 * above, indented like the flagged line. When the line above already is an ignore comment, the rule
 * joins its list instead; inside a multi-line macro the new line continues the macro with ` \`.
 */
export function ignoreEdit(document: TextDocument, line: number, rule: string): TextEdit {
  const current = lineOf(document, line);
  const above = line > 0 ? lineOf(document, line - 1).text : undefined;
  const existing = above !== undefined ? IGNORE_LINE.exec(above) : null;
  if (existing && above !== undefined) {
    const ids = existing[2]!.split(/\s*,\s*/);
    const list = ids.includes(rule) ? ids : [...ids, rule];
    return {
      range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: above.length } },
      newText: `${existing[1]}/* kobject-lifetime: ignore ${list.join(', ')} */${existing[3] ?? ''}`,
    };
  }
  const indent = /^[ \t]*/.exec(current.text)![0];
  // The new line ends like the flagged one (CRLF files stay CRLF); on a last line without an end, \n.
  const eol = current.eol === '' ? '\n' : current.eol;
  const continued = above !== undefined && /\\$/.test(above) ? ' \\' : '';
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indent}/* kobject-lifetime: ignore ${rule} */${continued}${eol}`,
  };
}

/** Quick fixes for the diagnostics of a code action request (only ours, and only from their data). */
export function provideQuickFixes(
  document: TextDocument,
  diagnostics: readonly Diagnostic[],
  options: CodeActionOptions,
): CodeAction[] {
  const fixes: CodeAction[] = [];
  const ignores: CodeAction[] = [];
  const perRule: CodeAction[] = [];
  const rulesSeen = new Set<string>();
  for (const diagnostic of diagnostics) {
    const data = readDiagnosticData(diagnostic);
    if (!data) continue;
    // Edits are offered only for the version their ranges were computed on: a stale diagnostic's
    // ranges would land on other text.
    if (data.version === document.version) {
      const preferred = data.fixes.find((f) => f.safe);
      for (const fix of data.fixes) {
        const action: CodeAction = {
          title: fix.safe ? fix.title : `${fix.title} (review: changes behaviour on other paths)`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: workspaceEdit(document, fix.edits, options),
        };
        if (fix === preferred) action.isPreferred = true;
        fixes.push(action);
      }
      ignores.push({
        title: `Ignore ${data.rule} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit(
          document,
          [ignoreEdit(document, diagnostic.range.start.line, data.rule)],
          options,
        ),
      });
    }
    if (rulesSeen.has(data.rule)) continue;
    rulesSeen.add(data.rule);
    perRule.push(
      {
        title: `Disable ${data.rule} in this workspace`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Disable ${data.rule}`, command: COMMANDS.disableRule, arguments: [data.rule] },
      },
      {
        title: `Show documentation for ${data.rule}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: {
          title: `Show ${data.rule} documentation`,
          command: COMMANDS.showRuleDoc,
          arguments: [data.rule],
        },
      },
    );
  }
  return [...fixes, ...ignores, ...perRule];
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function conflict(a: TextEdit, b: TextEdit): boolean {
  // Two ranges overlap when each starts before the other ends; an insertion conflicts with a range
  // that strictly surrounds it. Insertions at one point, or touching ranges, do not conflict.
  if (before(a.range.start, b.range.end) && before(b.range.start, a.range.end)) return true;
  const inside = (p: Position, e: TextEdit): boolean => before(e.range.start, p) && before(p, e.range.end);
  return inside(a.range.start, b) || inside(b.range.start, a);
}

/**
 * The edits of every finding's first safe fix, a fix taken whole or not at all: a fix whose edits
 * conflict with a fix already taken is left for the next run (applying half a fix would break code).
 */
export function selectSafeFixEdits(findings: readonly Finding[]): TextEdit[] {
  const taken: TextEdit[] = [];
  for (const finding of findings) {
    const fix: Fix | undefined = finding.fixes.find((f) => f.safe);
    if (!fix || fix.edits.length === 0) continue;
    if (fix.edits.some((e) => taken.some((t) => conflict(e, t)))) continue;
    taken.push(...fix.edits);
  }
  return taken.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.range.end.line - b.range.end.line ||
      a.range.end.character - b.range.end.character,
  );
}

/** The "fix all safe problems" source action for findings computed on the document's current text. */
export function provideFixAll(
  document: TextDocument,
  findings: readonly Finding[],
  options: CodeActionOptions,
): CodeAction | undefined {
  const edits = selectSafeFixEdits(findings);
  if (edits.length === 0) return undefined;
  return { title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit: workspaceEdit(document, edits, options) };
}

export const codeActions: ServerFeature = {
  capabilities: {
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
  },
  register(connection: Connection, ctx: ServerContext): void {
    connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
      try {
        const document = ctx.documents.get(params.textDocument.uri);
        if (!document) return [];
        const options = { documentChanges: ctx.client.documentChanges };
        const only = params.context.only;
        const actions = kindWanted(CodeActionKind.QuickFix, only)
          ? provideQuickFixes(document, params.context.diagnostics, options)
          : [];
        // The source action is offered only when asked for (Source Action menu, codeActionsOnSave).
        if (only && kindWanted(FIX_ALL_KIND, only)) {
          const current = await ctx.analyzeNow(document.uri);
          const now = ctx.documents.get(document.uri);
          if (current && now && current.version === now.version) {
            const fixAll = provideFixAll(now, current.result.findings, options);
            if (fixAll) actions.push(fixAll);
          }
        }
        return actions;
      } catch (error) {
        ctx.log.error(`codeAction: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      }
    });
  },
};
