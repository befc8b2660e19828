import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parquetTempFile } from './parquet.js';
import type { ParquetWorkerReply, ParquetWorkerRequest } from './parquet-worker.js';

/** Bytes of accepted lines per message to the worker (a longer line makes one batch alone). */
const BATCH_BYTES = 1024 * 1024;
/** Batches sent but not yet written before the main thread waits (memory bound: ~8 MB of lines). */
const MAX_IN_FLIGHT = 8;

const YOUNG_GENERATION_MB = 8;

/** The compiled worker beside this module (absent when running from TypeScript sources). */
export function parquetWorkerFile(): string | undefined {
  const file = fileURLToPath(new URL('./parquet-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

/**
 * One worker thread that writes Parquet files (several, one after another or side by side)
 * from the raw lines of accepted rows: the worker reads and encodes while the main thread
 * parses and validates the next rows. One thread for all files keeps the memory of a single
 * extra V8 heap.
 */
export class ParquetWorker {
  private readonly worker: Worker;
  private readonly sinks = new Map<number, ThreadedParquetSink>();
  private nextId = 0;
  private exited = false;

  constructor(workerFile: string) {
    // The worker's garbage is short-lived (each row is copied into column buffers): a small
    // young generation keeps its memory down at no measurable cost.
    this.worker = new Worker(workerFile, {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    this.worker.on('message', (msg: ParquetWorkerReply) => this.sinks.get(msg.sink)?.onReply(msg));
    this.worker.on('error', (err) => {
      for (const sink of this.sinks.values()) sink.fail(err);
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const sink of this.sinks.values())
        sink.fail(new Error(`Parquet worker exited (code ${code}) before finishing ${sink.file}`));
    });
  }

  /** Starts writing `file` on the worker. */
  open(file: string, meta: Record<string, string>): ThreadedParquetSink {
    const id = this.nextId++;
    const sink = new ThreadedParquetSink(file, (msg, transfer) => {
      if (this.exited) throw new Error(`Parquet worker is gone; cannot write ${file}`);
      this.worker.postMessage({ ...msg, sink: id } as ParquetWorkerRequest, transfer);
    });
    this.sinks.set(id, sink);
    sink.onSettled = () => this.sinks.delete(id);
    sink.start(meta);
    return sink;
  }

  /** Stops the thread (after every file is finished or aborted). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

type Request = ParquetWorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'sink'> : never) : never;

/**
 * A Parquet file written by a `ParquetWorker`. Same output as `ParquetSink` fed the same lines
 * in the same order. `addLine` queues; `drained()` is the back-pressure point (a promise while
 * too many batches are in flight).
 */
export class ThreadedParquetSink {
  private data = new Uint8Array(BATCH_BYTES);
  private used = 0;
  private ends: number[] = [];
  private inFlight = 0;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;
  private finished: { resolve: (rows: number) => void; reject: (err: Error) => void } | undefined;
  private aborted: (() => void) | undefined;
  onSettled: (() => void) | undefined;
  rows = 0;

  constructor(
    readonly file: string,
    private readonly post: (msg: Request, transfer?: ArrayBuffer[]) => void,
  ) {}

  start(meta: Record<string, string>): void {
    this.post({ type: 'open', file: this.file, meta });
  }

  onReply(msg: ParquetWorkerReply): void {
    if (msg.type === 'ack') {
      this.inFlight--;
      if (this.waiting && this.inFlight < MAX_IN_FLIGHT) {
        const w = this.waiting;
        this.waiting = undefined;
        w();
      }
    } else if (msg.type === 'done') {
      const f = this.finished;
      this.finished = undefined;
      this.onSettled?.();
      f?.resolve(msg.rows);
    } else if (msg.type === 'aborted') this.aborted?.();
    else this.fail(new Error(`Parquet worker for ${this.file}: ${msg.message}`));
  }

  fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
    const f = this.finished;
    this.finished = undefined;
    this.aborted?.();
    this.onSettled?.();
    f?.reject(this.failure);
  }

  /** Queues one accepted line (UTF-8 bytes, copied into the current batch). */
  addLine(line: Uint8Array): void {
    if (this.used + line.length > this.data.length) {
      this.flush();
      if (line.length > this.data.length) this.data = new Uint8Array(line.length);
    }
    this.data.set(line, this.used);
    this.used += line.length;
    this.ends.push(this.used);
    this.rows++;
  }

  private flush(): void {
    if (this.ends.length === 0) return;
    this.inFlight++;
    // The batch's memory moves to the worker (transferred, not copied).
    const data = new Uint8Array(this.data.buffer, this.data.byteOffset, this.used);
    const ends = Int32Array.from(this.ends);
    this.post({ type: 'rows', data, ends }, [data.buffer, ends.buffer]);
    this.data = new Uint8Array(BATCH_BYTES);
    this.used = 0;
    this.ends = [];
  }

  /** A promise to await while the worker is too far behind (undefined when it is not). */
  drained(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.inFlight < MAX_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve) => {
      this.waiting = resolve;
    }).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /** Sends the last rows and waits for the footer and the rename. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    this.flush();
    const rows = await new Promise<number>((resolve, reject) => {
      this.finished = { resolve, reject };
      if (this.failure) reject(this.failure);
      else this.post({ type: 'finish' });
    });
    if (rows !== this.rows)
      throw new Error(`Parquet worker wrote ${rows} rows of ${this.file}, ${this.rows} were sent`);
  }

  /** Drops the file: waits for the worker to remove its temp file (removed here too if the worker is gone). */
  async abort(): Promise<void> {
    if (!this.failure)
      await new Promise<void>((resolve) => {
        this.aborted = resolve;
        try {
          this.post({ type: 'abort' });
        } catch {
          resolve(); // the worker is gone
        }
      });
    this.onSettled?.();
    rmSync(parquetTempFile(this.file), { force: true });
  }
}
