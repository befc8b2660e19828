import { isUtf8 } from 'node:buffer';
import { AtomicFileSync } from '../core/atomic-write.js';
import type { BufferPool } from './buffer-pool.js';
import type { ChunkPool } from './chunk-pool.js';
import { CHUNK_BYTES } from './chunk-pool.js';
import type { AuditStats } from './collect.js';
import { ignore, MAX_IN_FLIGHT } from './first-pass.js';
import { forEachChunk, forEachLineOf } from './line-reader.js';
import { ParquetGroupFile } from './parquet.js';
import type { EncodedRowGroup } from './parquet-encoder.js';
import { NOT_SPLIT, TEST } from './split/assign.js';

/**
 * The accepted lines of one side (train, test, or outside the split) gathered in input order,
 * each ending in a newline: the bytes of one future row group, and for train and test exactly
 * the bytes of their JSONL file.
 */
class LineBatch {
  private buffer: Buffer;
  private used = 0;

  /** Batches hold up to a pooled buffer's bytes (a chunk's, about 450 pings). */
  constructor(private readonly buffers: BufferPool) {
    this.buffer = buffers.take();
  }

  /** True when `line` no longer fits after what is gathered. */
  wouldOverflow(line: Buffer): boolean {
    return this.used > 0 && this.used + line.length + 1 > this.buffer.length;
  }

  push(line: Buffer): void {
    if (this.used + line.length + 1 > this.buffer.length) this.buffer = this.buffers.take(line.length + 1);
    line.copy(this.buffer, this.used);
    this.used += line.length;
    this.buffer[this.used++] = 0x0a;
  }

  get empty(): boolean {
    return this.used === 0;
  }

  /** The gathered lines, in a buffer of their own (it may move to a worker); the batch starts anew. */
  take(): Buffer {
    const lines = this.buffer.subarray(0, this.used);
    this.buffer = this.buffers.take();
    this.used = 0;
    return lines;
  }
}

/** The files the output pass writes: always the full Parquet file, the split's four with --split. */
export interface OutputFiles {
  parquet: string;
  split?: { trainJsonl: string; testJsonl: string; trainParquet: string; testParquet: string };
}

/** Where one side's batches go: its JSONL and Parquet files with a split, the full Parquet file always. */
interface SideOutput {
  batch: LineBatch;
  jsonl?: AtomicFileSync;
  parquet?: ParquetGroupFile;
  rows: number;
}

/**
 * The output pass: streams the input again in the first pass's chunks and sorts each accepted
 * row by side (train, test, or outside the split) into batches of ~2 MB of lines. A full batch
 * is written as is to its side's JSONL file and encoded once, by the pool, as one row group that
 * goes both into scan_results.parquet and into its side's Parquet file (the same bytes, so no
 * row is encoded twice). Each row group thus holds one side's rows, in input order; the groups
 * land in the order their batches filled. Only line → repository → side lookups are kept in
 * memory, so this pass is bounded like the first one. Every file is written to a temp name and
 * renamed into place only when all are complete.
 */
export async function writeOutputs(
  input: string,
  stats: AuditStats,
  /** Repository index → TRAIN / TEST / NOT_SPLIT; undefined without a split. */
  sides: Uint8Array | undefined,
  files: OutputFiles,
  parquetMeta: () => Record<string, string>,
  pool: ChunkPool,
  onProgress?: (bytesRead: number) => void,
): Promise<{ train: number; test: number }> {
  const split = sides && files.split;
  const full = new ParquetGroupFile(files.parquet, parquetMeta);
  const twin = (jsonl: string, parquet: string, role: string): SideOutput => ({
    batch: new LineBatch(pool.buffers),
    jsonl: new AtomicFileSync(jsonl),
    parquet: new ParquetGroupFile(parquet, () => ({ ...parquetMeta(), 'stratum.split': role })),
    rows: 0,
  });
  const outside: SideOutput = { batch: new LineBatch(pool.buffers), rows: 0 };
  const train = split ? twin(split.trainJsonl, split.trainParquet, 'train') : undefined;
  const test = split ? twin(split.testJsonl, split.testParquet, 'test') : undefined;
  const outputs = [outside, train, test].filter((o) => o !== undefined);

  let written: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  /** Hands a side's gathered lines to the pool; their row group is added to the files in dispatch order. */
  const dispatch = (side: SideOutput): void => {
    const lines = side.batch.take();
    side.jsonl?.writeBytes(lines); // before the buffer moves to the pool
    const group = pool.encode(lines);
    group.catch(ignore); // awaited in order below
    const done = written.then(async () => addGroup(side, await group));
    done.catch(ignore); // awaited through `inFlight` or at the end
    written = done;
    inFlight.push(done);
  };
  const addGroup = (side: SideOutput, group: EncodedRowGroup | undefined): void => {
    if (!group) return;
    full.addGroup(group);
    side.parquet?.addGroup(group);
  };

  try {
    const { bytes } = await forEachChunk(
      input,
      CHUNK_BYTES,
      async (chunk) => {
        forEachLineOf(chunk.bytes, (lineBytes, at) => {
          const repo = stats.lineRepo.get(chunk.firstLine + at);
          if (repo < 0) return;
          const s = sides?.[repo];
          const side =
            s === undefined || s === NOT_SPLIT || !train || !test ? outside : s === TEST ? test : train;
          // A line with invalid UTF-8 was read with U+FFFD in place of the bad bytes: write that.
          const line = isUtf8(lineBytes) ? lineBytes : Buffer.from(lineBytes.toString('utf8'), 'utf8');
          if (side.batch.wouldOverflow(line)) dispatch(side);
          side.batch.push(line);
          side.rows++;
        });
        pool.buffers.give(chunk.bytes); // its accepted lines are copied into the batches
        while (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      },
      onProgress,
      (n) => pool.buffers.take(n),
    );
    for (const side of outputs) if (!side.batch.empty) dispatch(side);
    await written;
    if (bytes !== stats.bytes)
      throw new Error(
        `${input} changed during the audit (${stats.bytes} bytes in the first pass, ${bytes} in the second)`,
      );
    full.finish();
    for (const side of outputs) {
      side.jsonl?.commit();
      side.parquet?.finish();
    }
  } catch (err) {
    await Promise.allSettled(inFlight);
    full.abort();
    for (const side of outputs) {
      side.jsonl?.abort();
      side.parquet?.abort();
    }
    throw err;
  }
  return { train: train?.rows ?? 0, test: test?.rows ?? 0 };
}
