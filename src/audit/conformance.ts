import type { ContractIssue } from '../core/contract/index.js';

/**
 * The conformance section's tally: for each field or invariant of the full ping contract, how
 * many rows deviate from it and on which lines (the first few). Keys name a field and what is
 * wrong with it (`archetype_class: missing`, `risk_score: must be integer`) or an invariant
 * (`invariant 6 (deployment score)`), never a value, so their number is bounded by the schema;
 * names taken from the data (unknown keys) are capped by MAX_KEYS all the same.
 */

/** Example lines kept per key. */
export const EXAMPLE_LINES = 5;
/** Distinct keys kept; any further key is counted under OTHER_KEY (hostile input stays bounded). */
const MAX_KEYS = 500;
export const OTHER_KEY = '(other deviations)';

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** Keys of schema issues by pointer and message: rows of one shape repeat them (bounded, see below). */
const keyCache = new Map<string, string>();
const KEY_CACHE_SIZE = 5_000;

/** The tally key of one contract issue. */
export function deviationKey(issue: ContractIssue): string {
  if (issue.message.startsWith('invariant ')) {
    const inv = /^invariant (\d+) \(([^)]*)\)/.exec(issue.message);
    if (inv) return `invariant ${inv[1]} (${inv[2]})`;
  }
  const cacheKey = `${issue.pointer}\u0000${issue.message}`;
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const key = schemaIssueKey(issue);
  if (keyCache.size < KEY_CACHE_SIZE) keyCache.set(cacheKey, key);
  return key;
}

function schemaIssueKey(issue: ContractIssue): string {
  const parts = issue.pointer.split('/').slice(1).map(unescapePointer);
  const field = parts[0] ?? '';
  if (field === '') return `row: ${issue.message}`;
  const nested = parts.slice(1).join('.');
  if (issue.message === 'required field is missing')
    return nested ? `${field}: missing ${nested}` : `${field}: missing`;
  if (issue.message === 'unknown field')
    return nested ? `${field}: unknown key ${nested}` : `${field}: unknown field`;
  return `${field}: ${issue.message}`;
}

/** The distinct keys of a row's issues, in first-seen order. */
export function deviationKeys(issues: readonly ContractIssue[]): string[] {
  return [...new Set(issues.map(deviationKey))];
}

/** One key's count and example lines; `at` holds line numbers (or in-chunk indexes before merging). */
export interface DeviationCount {
  rows: number;
  lines: number[];
}

/** One chunk's tally as it crosses threads: [key, rows, in-chunk line indexes]. */
export type ChunkDeviations = Array<[string, number, number[]]>;

export class ConformanceTally {
  readonly byKey = new Map<string, DeviationCount>();

  private entry(key: string): DeviationCount {
    let e = this.byKey.get(key);
    if (!e) {
      const k = this.byKey.size >= MAX_KEYS ? OTHER_KEY : key;
      e = this.byKey.get(k) ?? { rows: 0, lines: [] };
      this.byKey.set(k, e);
    }
    return e;
  }

  /** One row (line `line`) deviates on `keys`. */
  add(keys: readonly string[], line: number): void {
    for (const k of keys) {
      const e = this.entry(k);
      e.rows++;
      if (e.lines.length < EXAMPLE_LINES) e.lines.push(line);
    }
  }

  /** Adds a chunk's tally, its line indexes offset by the chunk's first line number. */
  merge(chunk: ChunkDeviations, firstLine: number): void {
    for (const [key, rows, ats] of chunk) {
      const e = this.entry(key);
      e.rows += rows;
      for (const at of ats) if (e.lines.length < EXAMPLE_LINES) e.lines.push(firstLine + at);
    }
  }

  /** Keys by rows (descending), then name. */
  sorted(): Array<[string, DeviationCount]> {
    return [...this.byKey].sort((a, b) => b[1].rows - a[1].rows || a[0].localeCompare(b[0]));
  }

  /** This tally as a chunk's (its `lines` are in-chunk indexes). */
  toChunk(): ChunkDeviations {
    return [...this.byKey].map(([k, e]) => [k, e.rows, e.lines]);
  }
}
