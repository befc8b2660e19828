import { AtomicFileSync } from '../../core/atomic-write.js';
import type { AuditStats } from '../collect.js';
import { forEachLine } from '../line-reader.js';
import { type OpenParquet, ParquetSink } from '../parquet.js';
import { TEST } from './assign.js';

const FLUSH_CHARS = 4 * 1024 * 1024;

/** One of the split's JSONL files: lines buffered in memory, written atomically. */
class LineFile {
  private readonly out: AtomicFileSync;
  private parts: string[] = [];
  private chars = 0;
  rows = 0;
  constructor(readonly file: string) {
    this.out = new AtomicFileSync(file);
  }
  push(raw: string): void {
    this.parts.push(raw, '\n');
    this.chars += raw.length + 1;
    this.rows++;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }
  private flush(): void {
    if (this.parts.length) this.out.write(this.parts.join(''));
    this.parts = [];
    this.chars = 0;
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
 * The second pass: streams the input again and copies each accepted row, byte for byte, to
 * the train or test file (and its Parquet twin). Only line → repository → side lookups are
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
    ? openParquet(files.trainParquet, { ...parquetMeta, 'stratum.split': 'train' })
    : undefined;
  const testPq = files.testParquet
    ? openParquet(files.testParquet, { ...parquetMeta, 'stratum.split': 'test' })
    : undefined;
  let appendedBytes = 0;
  try {
    const { bytes } = await forEachLine(
      input,
      (raw, line, bytes) => {
        const repo = stats.lineRepo.get(line);
        if (repo < 0) return;
        const isTest = sides[repo] === TEST;
        (isTest ? test : train).push(raw);
        (isTest ? testPq : trainPq)?.addLine(bytes);
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
