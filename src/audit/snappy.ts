import { createRequire } from 'node:module';
import type { Compress } from './parquet-encoder.js';

interface SnappyCompressorClass {
  new (input: Uint8Array): { maxCompressedLength(): number; compressToBuffer(out: Uint8Array): number };
}

// snappyjs's compressor writes into a buffer it is given: one output buffer per thread,
// reused page after page (a page's compressed bytes are copied into the row group at once),
// so compressing allocates nothing that waits for the garbage collector.
const { SnappyCompressor } = createRequire(import.meta.url)('snappyjs/snappy_compressor') as {
  SnappyCompressor: SnappyCompressorClass;
};

let out = new Uint8Array(1024 * 1024);

/**
 * Snappy for Parquet pages. The result is a view of a shared buffer, valid until the next
 * call: copy it before compressing again.
 */
export const snappy: Compress = (page) => {
  const compressor = new SnappyCompressor(page);
  const max = compressor.maxCompressedLength();
  if (max > out.length) out = new Uint8Array(Math.max(max, out.length * 2));
  return out.subarray(0, compressor.compressToBuffer(out));
};

/** hyparquet-writer's Snappy (the writer the encoder's byte-identity test compares with). */
export { snappyCompress as hyparquetSnappy } from 'hyparquet-writer/src/snappy.js';
