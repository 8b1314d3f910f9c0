// Which of the editor's quick fixes belongs to a simulated violation. Pure (no vscode import at run
// time) so node tests can check the matching: the panel offers a fix only when a kobject-lifetime rule
// finding with a safe (preferred) fix sits where the violating path goes.
import type { SimPath, SimViolation, SimViolationKind } from '../protocol/simulation';

/** The analyzer's rules that report each kind of violation the simulator can show. */
export const RULES_FOR_KIND: Record<SimViolationKind, readonly string[]> = {
  'use-after-free': ['use-after-put', 'module-unload-race', 'kfree-instead-of-put', 'release-frees-member'],
  'use-after-put': ['use-after-put'],
  'double-free': ['double-put', 'kfree-instead-of-put', 'release-frees-member'],
  leak: ['missing-put-on-error', 'leaked-reference', 'empty-release'],
  'put-uninitialized': ['put-before-init'],
  'missing-release': ['missing-release', 'empty-release'],
  'free-while-referenced': ['kfree-instead-of-put', 'devm-refcounted'],
};

/** A quick fix as the panel needs it: its rule's finding lines (1-based, inclusive) and whether it is safe. */
export interface FixCandidate<T> {
  rule: string;
  startLine: number;
  endLine: number;
  /** Safe fixes come as preferred code actions; only those are offered. */
  preferred: boolean;
  action: T;
}

/**
 * The fix for one violation of a path in the simulated file: a preferred fix of a rule that reports
 * this kind of violation, whose finding covers the violating line, or else covers a line the path's
 * steps on the violation's object pass through in the simulated file (a module-unload race is found at the put, while the crash
 * is in the late release). Undefined when none fits: the panel then offers no button.
 */
export function pickFix<T>(
  path: SimPath,
  violation: SimViolation,
  simulatedFile: string,
  candidates: readonly FixCandidate<T>[],
): FixCandidate<T> | undefined {
  const rules = RULES_FOR_KIND[violation.kind];
  const usable = candidates.filter((c) => c.preferred && rules.includes(c.rule));
  const inFile = (file: string | undefined): boolean => file === undefined || file === simulatedFile;
  const covers = (c: FixCandidate<T>, line: number): boolean => line >= c.startLine && line <= c.endLine;
  if (inFile(violation.file) && violation.line > 0) {
    const direct = usable.find((c) => covers(c, violation.line));
    if (direct !== undefined) return direct;
  }
  const onObject = (o: string | undefined): boolean =>
    violation.object === undefined || o === undefined || o === violation.object;
  const lines = path.steps
    .filter((s) => s.line > 0 && inFile(s.file) && onObject(s.object))
    .map((s) => s.line);
  return usable.find((c) => lines.some((l) => covers(c, l)));
}
