// Hover on a flagged range: the finding's message, the path that leads to it, its related locations
// and a link to the rule's page. Reads the latest result of the open document's current version.
import { MarkupKind, type Connection, type Hover, type HoverParams } from 'vscode-languageserver';
import type { Finding, Position, Range } from '../analysis';
import type { ServerContext, ServerFeature } from './context';
import { ruleDocUri } from './diagnostics';

function within(p: Position, r: Range): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return afterStart && beforeEnd;
}

/** Markdown-escapes prose from the analyzer (messages quote C such as `*dev` and `a_b[i]`). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|~]/g, '\\$&');
}

export function hoverMarkdown(finding: Finding, docsDir: string): string {
  const lines = [
    `**${finding.rule}** (${finding.severity}, ${finding.confidence} confidence)`,
    '',
    escapeMarkdown(finding.message),
  ];
  if (finding.trace.length > 0) {
    lines.push('', 'Why — the path that leads here:', '');
    for (const step of finding.trace) lines.push(`- ${escapeMarkdown(step)}`);
  }
  if (finding.related.length > 0) {
    lines.push('', 'Related:', '');
    for (const r of finding.related)
      lines.push(`- line ${r.range.start.line + 1}: ${escapeMarkdown(r.message)}`);
  }
  lines.push('', `[Rule documentation: ${finding.rule}](${ruleDocUri(docsDir, finding.rule)})`);
  return lines.join('\n');
}

/** The hover for a position among a document's findings; null where nothing is flagged. */
export function provideHover(
  findings: readonly Finding[],
  position: Position,
  docsDir: string,
): Hover | null {
  const here = findings.filter((f) => within(position, f.range));
  if (here.length === 0) return null;
  return {
    contents: {
      kind: MarkupKind.Markdown,
      value: here.map((f) => hoverMarkdown(f, docsDir)).join('\n\n---\n\n'),
    },
    range: here[0]!.range,
  };
}

export const hover: ServerFeature = {
  capabilities: { hoverProvider: true },
  register(connection: Connection, ctx: ServerContext): void {
    connection.onHover(async (params: HoverParams): Promise<Hover | null> => {
      try {
        const current =
          ctx.currentResult(params.textDocument.uri) ?? (await ctx.analyzeNow(params.textDocument.uri));
        if (!current) return null;
        return provideHover(current.result.findings, params.position, ctx.docsDir);
      } catch (error) {
        ctx.log.error(`hover: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }
    });
  },
};
