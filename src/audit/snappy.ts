import { createRequire } from 'node:module';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { Compress } from './parquet-encoder.js';

/** hyparquet-writer's JavaScript Snappy: the reference the encoder's byte-identity test compares with. */
export const jsSnappy: Compress = (page) => snappyCompress(page);

let chosen: Compress | undefined;

/**
 * Snappy for Parquet pages: the native `snappy` module (about twice as fast here) when its
 * prebuilt binary loads on this platform, else hyparquet-writer's JavaScript one. Both write
 * valid Snappy; the bytes differ.
 */
export function snappy(): Compress {
  if (chosen) return chosen;
  try {
    const native = createRequire(import.meta.url)('snappy') as { compressSync(b: Uint8Array): Buffer };
    chosen = (page) => native.compressSync(page);
  } catch {
    chosen = jsSnappy;
  }
  return chosen;
}
