import { composeQuery, dayNumber, intersect, type ParsedQuery, type Range } from './query.js';

/**
 * Adaptive slicing of one search query under GitHub's 1,000-results-per-search cap: a slice
 * over the cap is split in two by `created:` date until it covers a single day, then by
 * `stars:` ranges. Every split strictly shrinks a finite range, so slicing ends however the
 * counts move between calls; a single day with a single star count still over the cap is
 * "capped" (fetched up to the cap, its shortfall reported).
 */
export const SEARCH_RESULT_CAP = 1000;

/** Earliest creation day searched when a query has no lower `created:` bound. */
export const EARLIEST_CREATED_DAY = dayNumber('2007-10-01')!;

export interface QueryRef {
  stratum: string;
  stratumIndex: number;
  queryIndex: number;
  /** The query as written in the strata file. */
  text: string;
  parsed: ParsedQuery;
}

export interface Slice {
  /** Stable identity across runs (ledger key). */
  key: string;
  ref: QueryRef;
  /** null = not sliced by date (the whole query). */
  created: Range | null;
  stars: Range | null;
  /** The search string sent to GitHub for this slice. */
  query: string;
  depth: number;
}

export interface SliceOptions {
  includeForks: boolean;
  /** Last creation day searched (the run's freeze day). */
  untilDay: number;
}

function rangeKey(range: Range | null): string {
  if (!range) return '*';
  return `${range.lo}..${range.hi === Infinity ? '*' : range.hi}`;
}

function makeSlice(
  ref: QueryRef,
  created: Range | null,
  stars: Range | null,
  depth: number,
  options: SliceOptions,
): Slice {
  return {
    key: `s${ref.stratumIndex}.q${ref.queryIndex}|c:${rangeKey(created)}|s:${rangeKey(stars)}`,
    ref,
    created,
    stars,
    query: composeQuery(ref.parsed, { created, stars }, { includeForks: options.includeForks }),
    depth,
  };
}

export function rootSlice(ref: QueryRef, options: SliceOptions): Slice {
  return makeSlice(ref, null, null, 0, options);
}

function halves(range: Range): [Range, Range] {
  const mid = Math.floor((range.lo + range.hi) / 2);
  return [
    { lo: range.lo, hi: mid },
    { lo: mid + 1, hi: range.hi },
  ];
}

/** The two halves of a slice over the cap, or null when it cannot be split any further. */
export function splitSlice(slice: Slice, options: SliceOptions): [Slice, Slice] | null {
  const created =
    slice.created ??
    intersect(slice.ref.parsed.created ?? { lo: -Infinity, hi: Infinity }, {
      lo: EARLIEST_CREATED_DAY,
      hi: options.untilDay,
    });
  if (created.lo > created.hi) return null;
  const depth = slice.depth + 1;
  if (created.lo < created.hi) {
    const [a, b] = halves(created);
    return [
      makeSlice(slice.ref, a, slice.stars, depth, options),
      makeSlice(slice.ref, b, slice.stars, depth, options),
    ];
  }
  const stars = slice.stars ?? slice.ref.parsed.stars ?? { lo: 0, hi: Infinity };
  if (stars.lo >= stars.hi) return null;
  if (stars.hi === Infinity) {
    // Open upper end: most repositories have few stars, so cut low and grow geometrically.
    const cut = stars.lo * 2 + 9;
    return [
      makeSlice(slice.ref, created, { lo: stars.lo, hi: cut }, depth, options),
      makeSlice(slice.ref, created, { lo: cut + 1, hi: Infinity }, depth, options),
    ];
  }
  const [a, b] = halves(stars);
  return [makeSlice(slice.ref, created, a, depth, options), makeSlice(slice.ref, created, b, depth, options)];
}

/** Orders slices as the strata file does (stratum, query), then by date and stars. */
export function compareSlices(a: Slice, b: Slice): number {
  return (
    a.ref.stratumIndex - b.ref.stratumIndex ||
    a.ref.queryIndex - b.ref.queryIndex ||
    (a.created?.lo ?? -Infinity) - (b.created?.lo ?? -Infinity) ||
    (a.stars?.lo ?? -1) - (b.stars?.lo ?? -1)
  );
}
