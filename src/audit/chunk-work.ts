import { type ChunkDeviations, ConformanceTally } from './conformance.js';
import { decodeLine, forEachLineOf } from './line-reader.js';
import { judgeLine, type LineVerdict } from './line-verdict.js';
import { appendJsonLine, parquetColumns } from './parquet.js';
import { type EncodedRowGroup, RowGroupEncoder } from './parquet-encoder.js';
import { snappy } from './snappy.js';

/** The verdict on every non-blank line of a chunk, and the chunk's deviations from the full contract. */
export interface JudgedChunk {
  verdicts: LineVerdict[];
  /** Line indexes are in-chunk (`at`). */
  deviations: ChunkDeviations;
}

export function judgeChunk(chunk: Buffer, strict: boolean): JudgedChunk {
  const verdicts: LineVerdict[] = [];
  const tally = new ConformanceTally();
  const deviations = (keys: string[], at: number) => tally.add(keys, at);
  forEachLineOf(chunk, (bytes, at) => {
    const raw = decodeLine(bytes);
    if (raw.trim() !== '') verdicts.push(judgeLine(raw, at, strict, deviations));
  });
  return { verdicts, deviations: tally.toChunk() };
}

/**
 * The judged chunk as one JSON text (what crosses to the main thread): the main thread then
 * builds each verdict only when it adds it, so those objects die young instead of waiting in
 * its heap.
 */
export function judgeChunkText(chunk: Buffer, strict: boolean): string {
  return JSON.stringify(judgeChunk(chunk, strict));
}

// One encoder, reused batch after batch (it holds a buffer per column); the function below is
// synchronous, so no two batches ever share it at the same time.
let encoder: RowGroupEncoder | undefined;

/** Encodes every non-empty line of `lines` (accepted rows, one per line) as one Parquet row group. */
export function encodeRows(lines: Buffer): EncodedRowGroup | undefined {
  encoder ??= new RowGroupEncoder(parquetColumns());
  const e = encoder;
  forEachLineOf(lines, (bytes) => appendJsonLine(e, bytes));
  return e.takeGroup(snappy);
}
