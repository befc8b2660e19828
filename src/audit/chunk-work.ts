import { isAscii } from 'node:buffer';
import type { Ping } from '../core/contract/index.js';
import { forEachLineOf } from './line-reader.js';
import { judgeLine, type LineVerdict } from './line-verdict.js';
import { columnKeysOnce, parquetColumns } from './parquet.js';
import { type EncodedRowGroup, RowGroupEncoder } from './parquet-encoder.js';
import { valuesFromPing } from './row-values.js';
import { snappy } from './snappy.js';

/** Where a row of a chunk goes in the split pass (per line of the chunk). */
export const SIDE_NONE = 0;
export const SIDE_TRAIN = 1;
export const SIDE_TEST = 2;

/** Decodes one line; pure-ASCII lines (most pings) take the cheaper one-byte path. */
function decodeLine(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
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

/** Adds one line to a row group: straight from its bytes when it has the form JSON.stringify writes, else parsed. */
function appendLine(encoder: RowGroupEncoder, bytes: Buffer): void {
  if (encoder.appendLine(bytes, columnKeysOnce())) return;
  encoder.appendValues(valuesFromPing(parquetColumns(), JSON.parse(bytes.toString('utf8')) as Ping));
}

// One encoder per role, reused chunk after chunk (each holds a buffer per column); the
// functions below are synchronous, so no two chunks ever share one at the same time.
const encoders: Partial<Record<'full' | 'train' | 'test', RowGroupEncoder>> = {};
function encoderFor(role: 'full' | 'train' | 'test'): RowGroupEncoder {
  encoders[role] ??= new RowGroupEncoder(parquetColumns());
  return encoders[role];
}

/** The lines of a chunk whose `keep` entry is non-zero, as one Parquet row group (undefined when none). */
export function encodeChunk(chunk: Buffer, keep: Uint8Array): EncodedRowGroup | undefined {
  const encoder = encoderFor('full');
  forEachLineOf(chunk, (bytes, at) => {
    if (keep[at]) appendLine(encoder, bytes);
  });
  return encoder.takeGroup(snappy);
}

/** The train and the test rows of a chunk (by `sides`, one entry per line) as two row groups. */
export function encodeSplitChunk(
  chunk: Buffer,
  sides: Uint8Array,
): { train: EncodedRowGroup | undefined; test: EncodedRowGroup | undefined } {
  const train = encoderFor('train');
  const test = encoderFor('test');
  forEachLineOf(chunk, (bytes, at) => {
    const side = sides[at];
    if (side === SIDE_TRAIN) appendLine(train, bytes);
    else if (side === SIDE_TEST) appendLine(test, bytes);
  });
  return { train: train.takeGroup(snappy), test: test.takeGroup(snappy) };
}
