import { isUtf8 } from 'node:buffer';
import { AtomicFileSync } from '../core/atomic-write.js';
import type { ChunkPool } from './chunk-pool.js';
import { ROW_FULL, ROW_TRAIN } from './chunk-work.js';
import type { AuditStats } from './collect.js';
import { CHUNK_BYTES, ignore, MAX_IN_FLIGHT } from './first-pass.js';
import { forEachChunk, forEachLineOf } from './line-reader.js';
import { ParquetGroupFile, ParquetSink } from './parquet.js';
import { NOT_SPLIT, TEST } from './split/assign.js';

const FLUSH_BYTES = 4 * 1024 * 1024;

/** One of the split's JSONL files: lines gathered in a buffer, written atomically. */
class LineFile {
  private readonly out: AtomicFileSync;
  private buffer = Buffer.allocUnsafe(FLUSH_BYTES);
  private used = 0;
  rows = 0;
  constructor(readonly file: string) {
    this.out = new AtomicFileSync(file);
  }
  /** Appends one line given as the input's bytes, as the first pass read it (UTF-8). */
  push(line: Buffer): void {
    // A line with invalid UTF-8 was read with U+FFFD in place of the bad bytes: write that.
    const bytes = isUtf8(line) ? line : Buffer.from(line.toString('utf8'), 'utf8');
    if (this.used + bytes.length + 1 > this.buffer.length) {
      this.flush();
      if (bytes.length + 1 > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes.length + 1);
    }
    bytes.copy(this.buffer, this.used);
    this.used += bytes.length;
    this.buffer[this.used++] = 0x0a;
    this.rows++;
  }
  private flush(): void {
    if (this.used) this.out.writeBytes(this.buffer.subarray(0, this.used));
    this.used = 0;
  }
  commit(): void {
    this.flush();
    this.out.commit();
  }
  abort(): void {
    this.out.abort();
  }
}

/** The files the output pass writes: always the full Parquet file, the split's four with --split. */
export interface OutputFiles {
  parquet: string;
  split?: { trainJsonl: string; testJsonl: string; trainParquet: string; testParquet: string };
}

/**
 * The output pass: streams the input again in the first pass's chunks. Each accepted row goes
 * to scan_results.parquet and, with a split, is copied byte for byte to the train or test
 * JSONL file; the pool encodes each chunk's rows once as row groups of the Parquet files,
 * appended in input order. Only line → repository → side lookups are kept in memory, so this
 * pass is bounded like the first one. Every file is written to a temp name and renamed into
 * place only when all are complete.
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
  const train = split ? new LineFile(split.trainJsonl) : undefined;
  const test = split ? new LineFile(split.testJsonl) : undefined;
  const trainPq = split
    ? new ParquetGroupFile(split.trainParquet, () => ({ ...parquetMeta(), 'stratum.split': 'train' }))
    : undefined;
  // The test rows (a fifth) are encoded here, in order, in groups of the usual size: a chunk's
  // share of them would make row groups of ~100 rows.
  const testPq = split
    ? new ParquetSink(split.testParquet, { ...parquetMeta(), 'stratum.split': 'test' })
    : undefined;
  let written: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  try {
    const { bytes } = await forEachChunk(
      input,
      CHUNK_BYTES,
      async (chunk) => {
        const rows = new Uint8Array(chunk.lineCount);
        let accepted = 0;
        forEachLineOf(chunk.bytes, (lineBytes, at) => {
          const repo = stats.lineRepo.get(chunk.firstLine + at);
          if (repo < 0) return;
          accepted++;
          const side = sides?.[repo];
          if (side === undefined || side === NOT_SPLIT) rows[at] = ROW_FULL;
          else if (side === TEST) {
            test?.push(lineBytes);
            testPq?.addLine(lineBytes);
            rows[at] = ROW_FULL;
          } else {
            train?.push(lineBytes);
            rows[at] = ROW_TRAIN;
          }
        });
        if (accepted === 0) return;
        // After the copies above: the chunk's buffer moves to the pool.
        const groups = pool.encode(chunk.bytes, rows);
        const done = Promise.all([written, groups]).then(([, g]) => {
          if (g.full) full.addGroup(g.full);
          if (g.train) trainPq?.addGroup(g.train);
        });
        done.catch(ignore); // awaited through `inFlight` or at the end
        written = done;
        inFlight.push(done);
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      },
      onProgress,
    );
    await written;
    if (bytes !== stats.bytes)
      throw new Error(
        `${input} changed during the audit (${stats.bytes} bytes in the first pass, ${bytes} in the second)`,
      );
    full.finish();
    train?.commit();
    test?.commit();
    trainPq?.finish();
    testPq?.finish();
  } catch (err) {
    await Promise.allSettled(inFlight);
    full.abort();
    train?.abort();
    test?.abort();
    trainPq?.abort();
    testPq?.abort();
    throw err;
  }
  return { train: train?.rows ?? 0, test: test?.rows ?? 0 };
}
