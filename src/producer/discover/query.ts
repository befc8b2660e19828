/**
 * GitHub repository-search query strings: parsing the parts discovery needs to slice
 * (`created:` and `stars:` ranges), composing a slice's query, and telling when one query's
 * results are a subset of another's. Syntax: https://docs.github.com/search-github/searching-on-github/searching-for-repositories
 */

/** An inclusive integer range; `lo`/`hi` may be ±Infinity for an open side. */
export interface Range {
  lo: number;
  hi: number;
}

export interface ParsedQuery {
  /** Free-text terms, lowercased, in order. */
  terms: string[];
  /** Qualifiers other than `created:` and `stars:`, as written (`language:python`). */
  qualifiers: string[];
  /** `created:` as days since the epoch, when the query has one. */
  created: Range | null;
  stars: Range | null;
  /** A `fork:` qualifier is present. */
  hasForkQualifier: boolean;
}

export type QueryParse = { ok: true; query: ParsedQuery } | { ok: false; error: string };

const DAY_MS = 86_400_000;
export const MAX_QUERY_LENGTH = 256;

export function dayNumber(isoDay: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDay)) return null;
  const ms = Date.parse(`${isoDay}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== isoDay) return null;
  return Math.floor(ms / DAY_MS);
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

function parseRange(value: string, parseBound: (raw: string) => number | null): Range | null {
  const op = /^(>=|<=|>|<)(.+)$/.exec(value);
  if (op) {
    const bound = parseBound(op[2]!);
    if (bound === null) return null;
    switch (op[1]) {
      case '>':
        return { lo: bound + 1, hi: Infinity };
      case '>=':
        return { lo: bound, hi: Infinity };
      case '<':
        return { lo: -Infinity, hi: bound - 1 };
      default:
        return { lo: -Infinity, hi: bound };
    }
  }
  if (value.includes('..')) {
    const [a, b] = value.split('..');
    const lo = a === '*' ? -Infinity : parseBound(a ?? '');
    const hi = b === '*' ? Infinity : parseBound(b ?? '');
    if (lo === null || hi === null) return null;
    return { lo, hi };
  }
  const exact = parseBound(value);
  return exact === null ? null : { lo: exact, hi: exact };
}

const parseCount = (raw: string): number | null => (/^\d+$/.test(raw) ? Number(raw) : null);

export function parseQuery(text: string): QueryParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'query is empty' };
  if (trimmed.length > MAX_QUERY_LENGTH)
    return { ok: false, error: `query is longer than GitHub's ${MAX_QUERY_LENGTH} characters` };
  if (/(^|\s)\|(\s|$)|\S\|\S/.test(trimmed))
    return {
      ok: false,
      error: 'GitHub search has no "|" operator: write one query per alternative (or use OR)',
    };
  const query: ParsedQuery = {
    terms: [],
    qualifiers: [],
    created: null,
    stars: null,
    hasForkQualifier: false,
  };
  for (const token of trimmed.match(/"[^"]*"|\S+/g) ?? []) {
    const qual = /^([a-z_]+):(.+)$/.exec(token);
    if (!qual) {
      query.terms.push(token.toLowerCase());
      continue;
    }
    const [, key, value] = qual as unknown as [string, string, string];
    if (key === 'created') {
      if (query.created) return { ok: false, error: 'more than one created: qualifier' };
      const range = parseRange(value, dayNumber);
      if (!range)
        return { ok: false, error: `created:${value} is not a date range (YYYY-MM-DD, >, >=, <, <=, a..b)` };
      query.created = range;
    } else if (key === 'stars') {
      if (query.stars) return { ok: false, error: 'more than one stars: qualifier' };
      const range = parseRange(value, parseCount);
      if (!range) return { ok: false, error: `stars:${value} is not a number range (>, >=, <, <=, a..b)` };
      query.stars = { lo: Math.max(0, range.lo), hi: range.hi };
    } else if (key === 'sort') {
      return { ok: false, error: 'sort: is chosen by discovery (stable paging); remove it from the query' };
    } else {
      if (key === 'fork') query.hasForkQualifier = true;
      query.qualifiers.push(token);
    }
  }
  if (query.terms.length === 0 && query.qualifiers.length === 0)
    return { ok: false, error: 'query has no search terms' };
  return { ok: true, query };
}

export function intersect(a: Range, b: Range): Range {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
}

export function contains(outer: Range | null, inner: Range | null): boolean {
  const o = outer ?? { lo: -Infinity, hi: Infinity };
  const i = inner ?? { lo: -Infinity, hi: Infinity };
  return o.lo <= i.lo && o.hi >= i.hi;
}

/**
 * True when every repository matching `narrow` also matches `broad`: search terms and
 * qualifiers are ANDed, so a query with all of another's terms and qualifiers, within its
 * ranges, can only return a subset of it. Used to skip fetching a stratum's query whose results
 * an earlier query of the same stratum already covers.
 */
export function isSubsumedBy(narrow: ParsedQuery, broad: ParsedQuery): boolean {
  const narrowQuals = new Set(narrow.qualifiers.map((q) => q.toLowerCase()));
  return (
    broad.terms.every((t) => narrow.terms.includes(t)) &&
    broad.qualifiers.every((q) => narrowQuals.has(q.toLowerCase())) &&
    contains(broad.created, narrow.created) &&
    contains(broad.stars, narrow.stars)
  );
}

export function formatDayRange(range: Range): string {
  if (range.lo === range.hi) return dayString(range.lo);
  return `${dayString(range.lo)}..${dayString(range.hi)}`;
}

export function formatStarRange(range: Range): string {
  if (range.hi === Infinity) return `>=${range.lo}`;
  if (range.lo === range.hi) return String(range.lo);
  return `${range.lo}..${range.hi}`;
}

/** The query string of a slice of `base`: its terms, its qualifiers and the slice's ranges. */
export function composeQuery(
  base: ParsedQuery,
  slice: { created: Range | null; stars: Range | null },
  options: { includeForks: boolean },
): string {
  const parts = [...base.terms, ...base.qualifiers];
  const created = slice.created ?? base.created;
  if (created) parts.push(`created:${formatOpenDayRange(created)}`);
  const stars = slice.stars ?? base.stars;
  if (stars && !(stars.lo <= 0 && stars.hi === Infinity)) parts.push(`stars:${formatStarRange(stars)}`);
  if (options.includeForks && !base.hasForkQualifier) parts.push('fork:true');
  // A fixed sort keeps paging stable; newly created repositories land at the end.
  parts.push('sort:created-asc');
  return parts.join(' ');
}

function formatOpenDayRange(range: Range): string {
  if (range.lo === -Infinity && range.hi === Infinity) return '*..*';
  if (range.lo === -Infinity) return `<=${dayString(range.hi)}`;
  if (range.hi === Infinity) return `>=${dayString(range.lo)}`;
  return formatDayRange(range);
}
