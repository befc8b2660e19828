import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AtomicFileSync } from '../core/atomic-write.js';
import { type BatchReply, generateBatch, type TestDataShape } from './generate-batch.js';

export interface TestDataOptions {
  count: number;
  seed: number;
  /** Where the pings go (JSONL). */
  output: string;
  /** Also write the matching manifest (fork parents, language bytes, strata) here. */
  manifestOutput?: string;
  /**
   * Worker threads for large counts (default: available cores, at most 4). Every ping is
   * derived from (seed, index) alone, so the output is byte-identical with any number.
   */
  workers?: number;
  /** Smallest count that uses worker threads (default 20,000; tests lower it). */
  parallelFrom?: number;
  /** Row shape (default 'contract'); 'reference' writes what the reference Python pipeline writes. */
  shape?: TestDataShape;
}

export interface TestDataResult {
  output: string;
  manifestOutput?: string;
  count: number;
  bytes: number;
  workers: number;
}

const BATCH = 2_000;
/** Below this many pings, starting workers costs more than it saves. */
const PARALLEL_FROM = 20_000;

/** The compiled worker beside this module (absent when running from TypeScript sources). */
function workerFile(): string | undefined {
  const file = fileURLToPath(new URL('./generate-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

interface BatchOutput {
  pings: Uint8Array;
  manifest: Uint8Array;
}

async function produce(options: TestDataOptions, onBatch: (out: BatchOutput) => void): Promise<number> {
  const batches = Math.ceil(options.count / BATCH);
  const batchOf = (k: number) => ({
    seed: options.seed,
    count: options.count,
    start: k * BATCH,
    end: Math.min(options.count, (k + 1) * BATCH),
    manifest: Boolean(options.manifestOutput),
    shape: options.shape ?? 'contract',
  });
  const file = workerFile();
  const wanted = options.workers ?? Math.min(4, os.availableParallelism());
  if (!file || wanted <= 1 || options.count < (options.parallelFrom ?? PARALLEL_FROM)) {
    for (let k = 0; k < batches; k++) onBatch(generateBatch(batchOf(k)));
    return 1;
  }
  const workers = Array.from({ length: wanted }, () => new Worker(file));
  try {
    await new Promise<void>((resolve, reject) => {
      const done = new Map<number, BatchReply>();
      const idle: Worker[] = [];
      let next = 0;
      let written = 0;
      // At most 2 batches in flight or waiting per worker: memory stays bounded even when one
      // worker falls behind.
      const dispatch = () => {
        while (idle.length && next < batches && next - written < 2 * workers.length) {
          (idle.pop() as Worker).postMessage({ id: next, batch: batchOf(next) });
          next++;
        }
      };
      for (const w of workers) {
        w.on('error', reject);
        w.on('message', (msg: BatchReply) => {
          done.set(msg.id, msg);
          for (let t = done.get(written); t; t = done.get(written)) {
            done.delete(written);
            onBatch(t);
            written++;
          }
          idle.push(w);
          if (written === batches) resolve();
          else dispatch();
        });
        idle.push(w);
      }
      dispatch();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return wanted;
}

/**
 * Writes `count` synthetic pings (and optionally their manifest) for `seed`. The same
 * (count, seed) always gives byte-identical files, with or without worker threads.
 */
export async function writeTestData(options: TestDataOptions): Promise<TestDataResult> {
  const pings = new AtomicFileSync(options.output);
  const manifest = options.manifestOutput ? new AtomicFileSync(options.manifestOutput) : undefined;
  let workers: number;
  try {
    workers = await produce(options, (t) => {
      pings.writeBytes(t.pings);
      manifest?.writeBytes(t.manifest);
    });
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
    workers,
  };
}
