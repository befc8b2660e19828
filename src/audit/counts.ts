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

export { pct, share } from '../core/figures.js';
