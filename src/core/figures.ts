/**
 * One definition for every figure that more than one view shows (the terminal monitor, the
 * dashboard and /metrics, the audit report, audit.json and the dataset card), so that the
 * same rows always give the same number everywhere.
 */

/** Rows with scan data: the effective size, and the denominator of every framework share. */
export const EFFECTIVE_STATUSES = ['success', 'partial'] as const;

export function isEffective(status: string): boolean {
  return status === 'success' || status === 'partial';
}

export function effectiveRows(byStatus: Readonly<Record<string, number>>): number {
  return (byStatus.success ?? 0) + (byStatus.partial ?? 0);
}

/** Listed for a partial or failed row that names no failure_reason, so that no such row goes uncounted. */
export const UNSPECIFIED_REASON = 'unspecified';

/** The reason a row is counted under: its failure_reason; a partial or failed row without one is "unspecified". */
export function rowReason(status: string, failureReason: string | null | undefined): string | null {
  if (failureReason) return failureReason;
  return status === 'partial' || status === 'failed' ? UNSPECIFIED_REASON : null;
}

export function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** A share as a percentage with `digits` decimals ("0.0%" of nothing). */
export function pct(part: number, whole: number, digits = 1): string {
  return `${(share(part, whole) * 100).toFixed(digits)}%`;
}

/** "1 repo", "2 repos": a count with its noun in the right number. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
