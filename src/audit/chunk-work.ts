import { decodeLine, forEachLineOf } from './line-reader.js';
import { judgeLine, type LineVerdict } from './line-verdict.js';
import { appendJsonLine, parquetColumns } from './parquet.js';
import { type EncodedRowGroup, RowGroupEncoder } from './parquet-encoder.js';
import { snappy } from './snappy.js';

/** Where a line of a chunk goes in the output pass (one entry per line). */
export const ROW_SKIP = 0;
/** Into scan_results.parquet only (an accepted row outside the split, or no split). */
export const ROW_FULL = 1;
/** Into scan_results.parquet and the train file. */
export const ROW_TRAIN = 2;

/** One chunk's rows as row groups of the full and the train Parquet files (undefined where a file gets none). */
export interface ChunkGroups {
  full: EncodedRowGroup | undefined;
  train: EncodedRowGroup | undefined;
}

/** The verdict on every non-blank line of a chunk. */
export function judgeChunk(chunk: Buffer): LineVerdict[] {
  const out: LineVerdict[] = [];
  forEachLineOf(chunk, (bytes, at) => {
    const raw = decodeLine(bytes);
    if (raw.trim() !== '') out.push(judgeLine(raw, at));
  });
  return out;
}

/**
 * The verdicts as one JSON text (what crosses to the main thread): the main thread then builds
 * each verdict only when it adds it, so those objects die young instead of waiting in its heap.
 */
export function judgeChunkText(chunk: Buffer): string {
  return JSON.stringify(judgeChunk(chunk));
}

// One encoder per file, reused chunk after chunk (each holds a buffer per column); the
// functions here are synchronous, so no two chunks ever share one at the same time.
let encoders: { full: RowGroupEncoder; train: RowGroupEncoder } | undefined;

/**
 * Encodes the rows of a chunk by `rows` (one ROW_* entry per line): each row is read once
 * into the full file's group, and a train row is then copied from there.
 */
export function encodeChunk(chunk: Buffer, rows: Uint8Array): ChunkGroups {
  const columns = parquetColumns();
  encoders ??= {
    full: new RowGroupEncoder(columns),
    train: new RowGroupEncoder(columns),
  };
  const { full, train } = encoders;
  forEachLineOf(chunk, (bytes, at) => {
    const row = rows[at];
    if (!row) return;
    appendJsonLine(full, bytes);
    if (row === ROW_TRAIN) full.copyLastRowTo(train);
  });
  return { full: full.takeGroup(snappy), train: train.takeGroup(snappy) };
}
