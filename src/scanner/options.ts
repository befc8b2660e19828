/** Scan limits and identity, with the default of each field. Merged once, then frozen. */
export interface ScanOptions {
  /** `owner/name` written into the ping (default: the directory's name). */
  repoName?: string;
  /** Clone URL written into the ping (default: ``). */
  repoUrl?: string;
  /** Manifest stratum written into the ping (default: `unknown`; the pipeline sets its own). */
  selectionStratum?: string;
  /** Candidate files beyond this are not read; the scan becomes `partial` (default 20,000). */
  maxFiles?: number;
  /** Files larger than this are not read; a skipped source makes the scan `partial` (default 2 MiB). */
  maxFileBytes?: number;
  /** Wall-clock budget of the whole scan; work stops there and the scan is `partial` (default 60 s). */
  timeBudgetMs?: number;
  /** Directory entries visited at most, whatever their kind (default 10 × maxFiles). */
  maxEntries?: number;
}

export type ResolvedScanOptions = Readonly<Required<ScanOptions>>;

export const DEFAULT_SCAN_OPTIONS = {
  maxFiles: 20_000,
  maxFileBytes: 2 * 1024 * 1024,
  timeBudgetMs: 60_000,
} as const;

export function resolveScanOptions(dirName: string, options: ScanOptions = {}): ResolvedScanOptions {
  const maxFiles = options.maxFiles ?? DEFAULT_SCAN_OPTIONS.maxFiles;
  return Object.freeze({
    repoName: options.repoName ?? dirName,
    repoUrl: options.repoUrl ?? '',
    selectionStratum: options.selectionStratum ?? 'unknown',
    maxFiles,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_SCAN_OPTIONS.maxFileBytes,
    timeBudgetMs: options.timeBudgetMs ?? DEFAULT_SCAN_OPTIONS.timeBudgetMs,
    maxEntries: options.maxEntries ?? Math.max(1000, maxFiles * 10),
  });
}
