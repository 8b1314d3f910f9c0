// Findings as LSP diagnostics. Everything a code action needs later (rule, fixes, the document
// version the ranges belong to) travels in Diagnostic.data: the server keeps no fix cache.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver';
import type { Confidence, Finding, Fix, Severity } from '../analysis';

export const SOURCE = 'kobject-lifetime';

/** What a diagnostic carries for code actions. Plain JSON: it makes a round trip through the client. */
export interface DiagnosticData {
  rule: string;
  confidence: Confidence;
  /**
   * Version of the document the ranges (the finding's and the fixes') refer to; null for a file that
   * was not open when it was analyzed (workspace analysis of the file on disk).
   */
  version: number | null;
  fixes: Fix[];
}

/** The bundled rule documentation: `<dist>/../docs/rules`. */
export function defaultDocsDir(distDir: string): string {
  return join(distDir, '..', 'docs', 'rules');
}

const docUris = new Map<string, string>();

/** file:// URI of a rule's documentation page (computed once per page: every diagnostic has one). */
export function ruleDocUri(docsDir: string, rule: string): string {
  const key = `${docsDir}\0${rule}`;
  let uri = docUris.get(key);
  if (uri === undefined) {
    uri = pathToFileURL(join(docsDir, `${rule}.md`)).href;
    docUris.set(key, uri);
  }
  return uri;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticContext {
  uri: string;
  version: number | null;
  docsDir: string;
}

/**
 * One finding as a diagnostic. Its severity is the finding's own: the analyzer has already applied
 * the user's per-rule setting and lowered medium-confidence errors to warnings.
 */
export function toDiagnostic(finding: Finding, ctx: DiagnosticContext): Diagnostic {
  const related: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: { uri: ctx.uri, range: r.range },
    message: r.message,
  }));
  const data: DiagnosticData = {
    rule: finding.rule,
    confidence: finding.confidence,
    version: ctx.version,
    fixes: finding.fixes,
  };
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity] ?? DiagnosticSeverity.Warning,
    code: finding.rule,
    codeDescription: { href: ruleDocUri(ctx.docsDir, finding.rule) },
    source: SOURCE,
    message: finding.message,
    data,
  };
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}

export function toDiagnostics(findings: readonly Finding[], ctx: DiagnosticContext): Diagnostic[] {
  return findings.map((f) => toDiagnostic(f, ctx));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPosition(v: unknown): boolean {
  return isObject(v) && Number.isInteger(v['line']) && Number.isInteger(v['character']);
}

function isRange(v: unknown): boolean {
  return isObject(v) && isPosition(v['start']) && isPosition(v['end']);
}

function isFix(v: unknown): v is Fix {
  return (
    isObject(v) &&
    typeof v['title'] === 'string' &&
    typeof v['safe'] === 'boolean' &&
    Array.isArray(v['edits']) &&
    v['edits'].every((e: unknown) => isObject(e) && isRange(e['range']) && typeof e['newText'] === 'string')
  );
}

/**
 * The data of one of our diagnostics, checked: a client hands it back as it likes, and a diagnostic
 * from another source (or an older server) must not crash the code action handler.
 */
export function readDiagnosticData(diagnostic: Diagnostic): DiagnosticData | undefined {
  if (diagnostic.source !== SOURCE) return undefined;
  const d: unknown = diagnostic.data;
  if (!isObject(d) || typeof d['rule'] !== 'string') return undefined;
  const version = d['version'];
  if (version !== null && !Number.isInteger(version)) return undefined;
  const fixes = Array.isArray(d['fixes']) ? d['fixes'].filter(isFix) : [];
  const confidence = d['confidence'];
  return {
    rule: d['rule'],
    confidence: confidence === 'high' || confidence === 'low' ? confidence : 'medium',
    version: version as number | null,
    fixes,
  };
}
