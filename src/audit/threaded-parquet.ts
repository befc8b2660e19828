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
 * A Parquet file written by a worker thread from the raw lines of accepted rows: the worker
 * parses and encodes while the main thread parses and validates the next rows. Same output as
 * `ParquetSink` fed the parsed pings in the same order. `add` queues; `drained()` is the
 * back-pressure point (a promise while too many batches are in flight).
 */
export class ThreadedParquetSink {
  private readonly worker: Worker;
  private data = new Uint8Array(BATCH_BYTES);
  private used = 0;
  private ends: number[] = [];
  private inFlight = 0;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;
  private finished: { resolve: (rows: number) => void; reject: (err: Error) => void } | undefined;
  rows = 0;

  constructor(
    readonly file: string,
    meta: Record<string, string>,
    workerFile: string,
  ) {
    // The worker's garbage is short-lived (each row is copied into column buffers): a small
    // young generation keeps its memory down at no measurable cost.
    this.worker = new Worker(workerFile, {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    this.worker.on('message', (msg: ParquetWorkerReply) => this.onReply(msg));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (this.finished || this.inFlight > 0)
        this.fail(new Error(`Parquet worker for ${file} exited (code ${code}) before finishing`));
    });
    this.send({ type: 'open', file, meta });
  }

  private send(msg: ParquetWorkerRequest): void {
    this.worker.postMessage(msg);
  }

  private onReply(msg: ParquetWorkerReply): void {
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
      f?.resolve(msg.rows);
    } else this.fail(new Error(`Parquet worker for ${this.file}: ${msg.message}`));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
    const f = this.finished;
    this.finished = undefined;
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
    this.worker.postMessage({ type: 'rows', data, ends } satisfies ParquetWorkerRequest, [
      data.buffer,
      ends.buffer,
    ]);
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

  /** Sends the last rows, waits for the footer and the rename, then stops the worker. */
  async finish(): Promise<void> {
    this.flush();
    try {
      if (this.failure) throw this.failure;
      const rows = await new Promise<number>((resolve, reject) => {
        this.finished = { resolve, reject };
        this.send({ type: 'finish' });
      });
      if (rows !== this.rows)
        throw new Error(`Parquet worker wrote ${rows} rows of ${this.file}, ${this.rows} were sent`);
    } finally {
      await this.worker.terminate();
    }
  }

  async abort(): Promise<void> {
    await this.worker.terminate();
    // The worker may be stopped mid-row-group: remove its temp file here.
    rmSync(parquetTempFile(this.file), { force: true });
  }
}
