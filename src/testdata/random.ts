/**
 * A small seeded PRNG (sfc32) plus string/number hashing. The generator derives one PRNG per
 * ping from (seed, index), so any ping can be produced on its own and the output does not
 * depend on the order or number of pings generated before it.
 */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Index chosen with the given non-negative weights. */
  weighted(weights: readonly number[]): number;
  /** Integer in [min, max] skewed towards min (power-law-ish). */
  skewedInt(min: number, max: number, skew?: number): number;
  /** `count` distinct items chosen without replacement. */
  sample<T>(items: readonly T[], count: number): T[];
  hex(chars: number): string;
}

/** 32-bit FNV-1a then a murmur3 finaliser: fast, well-mixed, stable across platforms. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hex string of `chars` characters derived from `text` (stable ids such as hashes). */
export function hashHex(text: string, chars = 16): string {
  let out = '';
  for (let i = 0; out.length < chars; i++)
    out += hash32(text, i * 0x9e3779b9)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, chars);
}

export function createRandom(...seedParts: Array<string | number>): Random {
  const key = seedParts.join('\u0000');
  let a = hash32(key, 1);
  let b = hash32(key, 2);
  let c = hash32(key, 3);
  let d = hash32(key, 4);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted(weights) {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] as number;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    skewedInt(min, max, skew = 2.5) {
      return min + Math.floor(next() ** skew * (max - min + 1));
    },
    sample(items, count) {
      const pool = [...items];
      const out: (typeof items)[number][] = [];
      for (let i = 0; i < count && pool.length > 0; i++) {
        const j = Math.floor(next() * pool.length);
        out.push(pool[j] as (typeof items)[number]);
        pool[j] = pool[pool.length - 1] as (typeof items)[number];
        pool.pop();
      }
      return out;
    },
    hex(chars) {
      let out = '';
      while (out.length < chars)
        out += Math.floor(next() * 4294967296)
          .toString(16)
          .padStart(8, '0');
      return out.slice(0, chars);
    },
  };
}
