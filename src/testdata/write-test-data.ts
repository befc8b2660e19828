import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { generateManifestRecord } from './manifest-generator.js';
import { createGeneratorContext, generatePing, repoIdentity } from './ping-generator.js';

export interface TestDataOptions {
  count: number;
  seed: number;
  /** Where the pings go (JSONL). */
  output: string;
  /** Also write the matching manifest (fork parents, language bytes, strata) here. */
  manifestOutput?: string;
  /** Called every `progressEvery` pings with the number written so far. */
  onProgress?: (written: number) => void;
}

export interface TestDataResult {
  output: string;
  manifestOutput?: string;
  count: number;
  bytes: number;
}

const FLUSH_BYTES = 4 * 1024 * 1024;

/** Buffered synchronous JSONL writer to a temp file, renamed into place when complete. */
class JsonlFileSink {
  private readonly tmp: string;
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;

  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, 'w');
  }

  push(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    this.parts.push(line);
    this.pending += line.length;
    if (this.pending >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.bytes += writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }

  commit(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.file);
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}

/**
 * Writes `count` synthetic pings (and optionally their manifest) for `seed`. The same
 * (count, seed) always gives byte-identical files.
 */
export function writeTestData(options: TestDataOptions): TestDataResult {
  const ctx = createGeneratorContext(options.seed, options.count);
  const pings = new JsonlFileSink(options.output);
  const manifest = options.manifestOutput ? new JsonlFileSink(options.manifestOutput) : undefined;
  try {
    for (let i = 0; i < options.count; i++) {
      const id = repoIdentity(ctx, i);
      pings.push(generatePing(ctx, i, id));
      manifest?.push(generateManifestRecord(ctx, i, id));
      if (options.onProgress && (i + 1) % 10_000 === 0) options.onProgress(i + 1);
    }
    pings.commit();
    manifest?.commit();
  } catch (err) {
    pings.abort();
    manifest?.abort();
    throw err;
  }
  return {
    output: options.output,
    ...(options.manifestOutput ? { manifestOutput: options.manifestOutput } : {}),
    count: options.count,
    bytes: pings.bytes,
  };
}
