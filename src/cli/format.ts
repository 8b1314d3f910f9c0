// Output formats. Pure functions: a Report in, text out. The analyzer counts lines and UTF-16 columns
// from 0 (the LSP convention); every format here counts both from 1.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Confidence, Finding, Fix, FunctionStats, Range, RuleInfo, Severity } from '../analysis';

export interface FileFindings {
  /** The path as the user spelled it. */
  file: string;
  findings: readonly Finding[];
}

export interface Report {
  /** Files that were read and checked (binary files and unreadable ones are not counted). */
  filesChecked: number;
  /** Files with findings, sorted by path; findings sorted by position. */
  results: readonly FileFindings[];
  stats: RunStats;
}

/** Parse figures summed over the files that were analysed. */
export interface RunStats extends FunctionStats {
  /** Files that passed mayHaveFindings and went through analyze. */
  filesParsed: number;
}

export interface ToolInfo {
  version: string;
  rules: readonly RuleInfo[];
}

export const TOOL_NAME = 'kobject-lifetime';

/** Position order, then rule and message so that equal ranges still sort the same way every time. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

export function countFindings(report: Pick<Report, 'results'>): number {
  return report.results.reduce((n, r) => n + r.findings.length, 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

// ---------------------------------------------------------------------------------------------- text

/** `file:line:col: severity: message [rule]`, one line per finding. */
export function formatTextFinding(file: string, f: Finding): string {
  const { line, character } = f.range.start;
  return `${file}:${line + 1}:${character + 1}: ${f.severity}: ${oneLine(f.message)} [${f.rule}]`;
}

export function formatText(report: Report): string {
  let out = '';
  for (const r of report.results) {
    for (const f of r.findings) out += formatTextFinding(r.file, f) + '\n';
  }
  return out;
}

/** `3 findings in 2 files (41 files checked)`: the text format's last word, written to stderr. */
export function summaryLine(report: Pick<Report, 'filesChecked' | 'results'>): string {
  const withFindings = report.results.filter((r) => r.findings.length > 0).length;
  return (
    `${plural(countFindings(report), 'finding')} in ${plural(withFindings, 'file')} ` +
    `(${plural(report.filesChecked, 'file')} checked)`
  );
}

// ---------------------------------------------------------------------------------------------- json

export interface JsonEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  function: string | null;
  related: { line: number; column: number; message: string }[];
  fixes: { title: string; safe: boolean; edits: JsonEdit[] }[];
}

export interface JsonReport {
  version: 1;
  files: number;
  findings: JsonFinding[];
  stats: RunStats;
}

export function toJsonReport(report: Report): JsonReport {
  const findings: JsonFinding[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      findings.push({
        file: r.file,
        line: f.range.start.line + 1,
        column: f.range.start.character + 1,
        endLine: f.range.end.line + 1,
        endColumn: f.range.end.character + 1,
        rule: f.rule,
        severity: f.severity,
        confidence: f.confidence,
        message: f.message,
        function: f.function ?? null,
        related: f.related.map((rel) => ({
          line: rel.range.start.line + 1,
          column: rel.range.start.character + 1,
          message: rel.message,
        })),
        fixes: f.fixes.map((fix) => ({
          title: fix.title,
          safe: fix.safe,
          edits: fix.edits.map((e) => ({
            line: e.range.start.line + 1,
            column: e.range.start.character + 1,
            endLine: e.range.end.line + 1,
            endColumn: e.range.end.character + 1,
            newText: e.newText,
          })),
        })),
      });
    }
  }
  return { version: 1, files: report.filesChecked, findings, stats: { ...report.stats } };
}

export function formatJson(report: Report): string {
  return JSON.stringify(toJsonReport(report), null, 2) + '\n';
}

// --------------------------------------------------------------------------------------------- sarif

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/**
 * A relative URI with forward slashes for a file path: relative to `cwd` when the path is absolute,
 * without a leading `./`, each segment percent-encoded.
 */
export function sarifUri(file: string, cwd: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : relative(cwd, resolve(cwd, file));
  return rel
    .split(sep)
    .join('/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export function sarifRegion(range: Range): SarifRegion {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function sarifFix(uri: string, fix: Fix): object {
  return {
    description: { text: fix.title },
    artifactChanges: [
      {
        artifactLocation: { uri },
        replacements: fix.edits.map((e) => ({
          deletedRegion: sarifRegion(e.range),
          insertedContent: { text: e.newText },
        })),
      },
    ],
    properties: { safe: fix.safe },
  };
}

/** The SARIF 2.1.0 log as a plain object (formatSarif stringifies it). */
export function toSarif(report: Report, tool: ToolInfo, cwd: string): Record<string, unknown> {
  const ruleIndex = new Map(tool.rules.map((r, i) => [r.id, i]));
  const results: object[] = [];
  for (const r of report.results) {
    const uri = sarifUri(r.file, cwd);
    for (const f of r.findings) {
      const index = ruleIndex.get(f.rule);
      results.push({
        ruleId: f.rule,
        ...(index !== undefined ? { ruleIndex: index } : {}),
        level: sarifLevel(f.severity),
        message: { text: f.message },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri }, region: sarifRegion(f.range) },
            ...(f.function !== undefined
              ? { logicalLocations: [{ name: f.function, kind: 'function' }] }
              : {}),
          },
        ],
        ...(f.related.length > 0
          ? {
              relatedLocations: f.related.map((rel, id) => ({
                id,
                message: { text: rel.message },
                physicalLocation: { artifactLocation: { uri }, region: sarifRegion(rel.range) },
              })),
            }
          : {}),
        ...(f.fixes.length > 0 ? { fixes: f.fixes.map((fix) => sarifFix(uri, fix)) } : {}),
        properties: { confidence: f.confidence, messageId: f.messageId },
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: tool.version,
            rules: tool.rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.description },
              helpUri: `docs/rules/${rule.id}.md`,
              defaultConfiguration: { level: sarifLevel(rule.severity) },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(report: Report, tool: ToolInfo, cwd: string): string {
  return JSON.stringify(toSarif(report, tool, cwd), null, 2) + '\n';
}
