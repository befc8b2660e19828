import { isUtf8 } from 'node:buffer';
import { AtomicFileSync } from '../../core/atomic-write.js';
import type { ChunkPool } from '../chunk-pool.js';
import { SIDE_TEST, SIDE_TRAIN } from '../chunk-work.js';
import type { AuditStats } from '../collect.js';
import { CHUNK_BYTES, MAX_IN_FLIGHT } from '../first-pass.js';
import { forEachChunk, forEachLineOf } from '../line-reader.js';
import { ParquetGroupFile } from '../parquet.js';
import { NOT_SPLIT, TEST } from './assign.js';

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

export interface SplitFiles {
  trainJsonl: string;
  testJsonl: string;
  trainParquet?: string;
  testParquet?: string;
}

const ignore = () => undefined;

/**
 * The second pass: streams the input again in the first pass's chunks and copies each accepted
 * row, byte for byte, to the train or test file; the pool encodes each chunk's train and test
 * rows as row groups of the Parquet twins, appended in input order. Only line → repository →
 * side lookups are kept in memory, so this pass is bounded like the first one.
 */
export async function writeSplitFiles(
  input: string,
  stats: AuditStats,
  sides: Uint8Array,
  files: SplitFiles,
  parquetMeta: Record<string, string>,
  pool: ChunkPool,
): Promise<{ train: number; test: number }> {
  const train = new LineFile(files.trainJsonl);
  const test = new LineFile(files.testJsonl);
  const trainPq = files.trainParquet
    ? new ParquetGroupFile(files.trainParquet, () => ({ ...parquetMeta, 'stratum.split': 'train' }))
    : undefined;
  const testPq = files.testParquet
    ? new ParquetGroupFile(files.testParquet, () => ({ ...parquetMeta, 'stratum.split': 'test' }))
    : undefined;
  const withParquet = Boolean(trainPq || testPq);
  let written: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  try {
    const { bytes } = await forEachChunk(input, CHUNK_BYTES, async (chunk) => {
      const lineSides = new Uint8Array(chunk.lineCount);
      let rows = 0;
      forEachLineOf(chunk.bytes, (lineBytes, at) => {
        const repo = stats.lineRepo.get(chunk.firstLine + at);
        if (repo < 0 || sides[repo] === NOT_SPLIT) return;
        const isTest = sides[repo] === TEST;
        (isTest ? test : train).push(lineBytes);
        lineSides[at] = isTest ? SIDE_TEST : SIDE_TRAIN;
        rows++;
      });
      if (!withParquet || rows === 0) return;
      // After the copy above: the chunk's buffer moves to the pool.
      const groups = pool.split(chunk.bytes, lineSides);
      const done = Promise.all([written, groups]).then(([, g]) => {
        if (g.train) trainPq?.addGroup(g.train);
        if (g.test) testPq?.addGroup(g.test);
      });
      done.catch(ignore); // awaited through `inFlight` or at the end
      written = done;
      inFlight.push(done);
      if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
    });
    await written;
    if (bytes !== stats.bytes)
      throw new Error(
        `${input} changed during the audit (${stats.bytes} bytes in the first pass, ${bytes} in the second)`,
      );
    train.commit();
    test.commit();
    trainPq?.finish();
    testPq?.finish();
  } catch (err) {
    await Promise.allSettled(inFlight);
    train.abort();
    test.abort();
    trainPq?.abort();
    testPq?.abort();
    throw err;
  }
  return { train: train.rows, test: test.rows };
}
