/** Small counting helpers whose memory is bounded by distinct values, never by rows. */

export class Counter<K = string> {
  readonly map = new Map<K, number>();
  add(key: K, by = 1): void {
    this.map.set(key, (this.map.get(key) ?? 0) + by);
  }
  get(key: K): number {
    return this.map.get(key) ?? 0;
  }
  /** Entries sorted by count (descending), then key. */
  sorted(): Array<[K, number]> {
    return [...this.map].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  }
}

/**
 * The median of a multiset given as value → count (exact; the lower middle for even sizes is
 * averaged with the upper one).
 */
export function medianOfCounts(counts: Iterable<[number, number]>): number | null {
  const entries = [...counts].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((a, [, c]) => a + c, 0);
  if (total === 0) return null;
  const lowRank = Math.floor((total - 1) / 2);
  const highRank = Math.floor(total / 2);
  let seen = 0;
  let low: number | undefined;
  for (const [value, c] of entries) {
    if (low === undefined && seen + c > lowRank) low = value;
    if (seen + c > highRank) return ((low as number) + value) / 2;
    seen += c;
  }
  return null;
}

/** An Int32Array that grows by doubling (per-row numbers without per-row objects). */
export class GrowableInt32 {
  private data: Int32Array;
  length = 0;
  constructor(
    initial = 1024,
    private readonly fill = 0,
  ) {
    this.data = new Int32Array(initial).fill(fill);
  }
  set(index: number, value: number): void {
    if (index >= this.data.length) {
      let size = this.data.length * 2;
      while (size <= index) size *= 2;
      const next = new Int32Array(size).fill(this.fill);
      next.set(this.data);
      this.data = next;
    }
    this.data[index] = value;
    if (index >= this.length) this.length = index + 1;
  }
  get(index: number): number {
    return index < this.data.length ? (this.data[index] as number) : this.fill;
  }
  push(value: number): number {
    this.set(this.length, value);
    return this.length - 1;
  }
}

/** A Float64Array that grows by doubling (exact per-row values without per-row objects). */
export class GrowableFloat64 {
  private data: Float64Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Float64Array(initial);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  /** The values in ascending order (a copy). */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/**
 * min, Q1, median, Q3, max of ascending values as the reference's audit.py computes them:
 * Q1 = s[n // 4], Q3 = s[3n // 4], the median averaging the two middle values.
 */
export function quartiles(
  s: Float64Array,
): { min: number; q1: number; median: number; q3: number; max: number } | null {
  const n = s.length;
  if (n === 0) return null;
  const median = n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
  return {
    min: s[0] as number,
    q1: s[Math.floor(n / 4)] as number,
    median,
    q3: s[Math.floor((3 * n) / 4)] as number,
    max: s[n - 1] as number,
  };
}

export { pct, share } from '../core/figures.js';
