import { isUtf8 } from 'node:buffer';
import { AtomicFileSync } from '../../core/atomic-write.js';
import type { AuditStats } from '../collect.js';
import { forEachLineBytes } from '../line-reader.js';
import { type OpenParquet, ParquetSink } from '../parquet.js';
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

/**
 * The second pass: streams the input again (as bytes, no line is decoded or parsed twice)
 * and copies each accepted row, byte for byte, to the train or test file (and its Parquet twin). Only line → repository → side lookups are
 * kept in memory, so this pass is bounded like the first one.
 */
export async function writeSplitFiles(
  input: string,
  stats: AuditStats,
  sides: Uint8Array,
  files: SplitFiles,
  parquetMeta: Record<string, string>,
  openParquet: OpenParquet = (file, meta) => new ParquetSink(file, meta),
): Promise<{ train: number; test: number; appendedBytes: number }> {
  const train = new LineFile(files.trainJsonl);
  const test = new LineFile(files.testJsonl);
  const trainPq = files.trainParquet
    ? openParquet(files.trainParquet, { ...parquetMeta, 'stratum.split': 'train' }, 'train')
    : undefined;
  const testPq = files.testParquet
    ? openParquet(files.testParquet, { ...parquetMeta, 'stratum.split': 'test' }, 'test')
    : undefined;
  let appendedBytes = 0;
  try {
    const { bytes } = await forEachLineBytes(
      input,
      (lineBytes, line) => {
        const repo = stats.lineRepo.get(line);
        if (repo < 0 || sides[repo] === NOT_SPLIT) return;
        const isTest = sides[repo] === TEST;
        (isTest ? test : train).push(lineBytes);
        (isTest ? testPq : trainPq)?.addLine(lineBytes);
      },
      undefined,
      () => {
        const a = trainPq?.drained();
        const b = testPq?.drained();
        return a && b ? Promise.all([a, b]).then(() => undefined) : (a ?? b);
      },
    );
    if (bytes !== stats.bytes)
      throw new Error(
        `${input} changed during the audit (${stats.bytes} bytes in the first pass, ${bytes} in the second)`,
      );
    appendedBytes = bytes - stats.bytes;
    train.commit();
    test.commit();
    await Promise.all([trainPq?.finish(), testPq?.finish()]);
  } catch (err) {
    train.abort();
    test.abort();
    await Promise.allSettled([trainPq?.abort(), testPq?.abort()]);
    throw err;
  }
  return { train: train.rows, test: test.rows, appendedBytes };
}
