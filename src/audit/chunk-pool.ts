import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BufferPool } from './buffer-pool.js';
import { encodeRows, judgeChunkText } from './chunk-work.js';
import type { ChunkReply, ChunkRequest } from './chunk-worker.js';
import type { EncodedRowGroup } from './parquet-encoder.js';

/** Bytes of input per chunk (about 500 pings, one Parquet row group), and of the pooled buffers. */
export const CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Where the audit's per-line work runs: parsing and validating each line (first pass), and
 * encoding accepted rows as Parquet row groups (output pass). A chunk handed over is the
 * pool's: its buffer goes back to `buffers` when the work is done. Results are the same on
 * threads and inline.
 */
export interface ChunkPool {
  /** Buffers for chunks and batches, reused: take them here, the pool gives them back. */
  readonly buffers: BufferPool;
  /**
   * Verdicts on the chunk's non-blank lines and its deviations from the contract, as JSON text
   * of a `JudgedChunk`; `strict` accepts only contract-valid rows.
   */
  judge(chunk: Buffer, strict: boolean): Promise<string>;
  /** Every non-empty line of `lines` (accepted rows) as one Parquet row group. */
  encode(lines: Buffer): Promise<EncodedRowGroup | undefined>;
  /**
   * Keeps the calling thread's own work (`work`: the manifest) ahead of chunks it would take
   * itself; the pool's other threads go on meanwhile.
   */
  inlineAfter(work: Promise<unknown>): void;
  close(): Promise<void>;
}

/** Judges a chunk on this thread and gives its buffer back. */
function judgeHere(buffers: BufferPool, chunk: Buffer, strict: boolean): string {
  const verdicts = judgeChunkText(chunk, strict);
  buffers.give(chunk);
  return verdicts;
}

/** Encodes a batch on this thread and gives its buffer back. */
function encodeHere(buffers: BufferPool, lines: Buffer): EncodedRowGroup | undefined {
  const group = encodeRows(lines);
  buffers.give(lines);
  return group;
}

/** The pool that runs everything on the calling thread. */
export class InlineChunkPool implements ChunkPool {
  readonly buffers = new BufferPool(CHUNK_BYTES);

  async judge(chunk: Buffer, strict: boolean): Promise<string> {
    return judgeHere(this.buffers, chunk, strict);
  }

  async encode(lines: Buffer): Promise<EncodedRowGroup | undefined> {
    return encodeHere(this.buffers, lines);
  }

  /** Everything runs here anyway, in call order. */
  inlineAfter(): void {}

  async close(): Promise<void> {}
}

/** The compiled worker beside this module (absent when running from TypeScript sources). */
export function chunkWorkerFile(): string | undefined {
  const file = fileURLToPath(new URL('./chunk-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

const YOUNG_GENERATION_MB = 8;
/** Requests waiting at every thread before the calling thread takes a chunk itself. */
const INLINE_WHEN_QUEUED = 2;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** One worker thread and the requests it has not answered yet. */
class ChunkThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  failure: Error | undefined;

  constructor(
    file: string,
    /** Where the chunks that come back go. */
    returned: (chunk: Uint8Array) => void,
  ) {
    // Each chunk's garbage (parsed pings) dies young: a small young generation keeps a worker's
    // memory down at no measurable cost.
    this.worker = new Worker(file, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (msg: ChunkReply) => {
      returned(msg.chunk);
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if (msg.type === 'error') p.reject(new Error(`audit worker: ${msg.message}`));
      else p.resolve(msg.result);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`audit worker exited (code ${code})`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  request(msg: ChunkRequest, transfer: ArrayBuffer[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }
}

/**
 * A chunk handed to a worker: its whole memory moves (transferred, not copied), so the chunk
 * must own its buffer, as `forEachChunk`'s chunks do.
 */
function moved(chunk: Buffer): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  return {
    bytes: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    transfer: [chunk.buffer as ArrayBuffer],
  };
}

/**
 * Worker threads that judge and encode chunks side by side; each chunk goes to the thread
 * with the fewest requests outstanding. With `alsoInline`, the calling thread takes a chunk
 * itself whenever every thread already has `INLINE_WHEN_QUEUED` waiting: the caller is
 * otherwise mostly idle, so on two cores one worker plus the caller does the work of two
 * workers with one V8 heap less.
 */
export class ThreadChunkPool implements ChunkPool {
  readonly buffers = new BufferPool(CHUNK_BYTES);
  private readonly threads: ChunkThread[];
  private nextId = 0;
  /** Chunks done on the calling thread (for tests and logs). */
  inlineChunks = 0;
  /** While false, every chunk goes to a thread (the calling thread has other work first). */
  private inlineAllowed = true;

  constructor(
    file: string,
    threads: number,
    private readonly alsoInline = false,
  ) {
    const returned = (chunk: Uint8Array) => this.buffers.give(chunk);
    this.threads = Array.from({ length: Math.max(1, threads) }, () => new ChunkThread(file, returned));
  }

  private leastBusy(): ChunkThread {
    let best = this.threads[0] as ChunkThread;
    for (const t of this.threads) if (t.pending.size < best.pending.size) best = t;
    return best;
  }

  /** Every chunk goes to a worker thread until `work` settles. */
  inlineAfter(work: Promise<unknown>): void {
    if (!this.alsoInline) return;
    this.inlineAllowed = false;
    const allow = () => {
      this.inlineAllowed = true;
    };
    work.then(allow, allow);
  }

  /** The thread to send the next chunk to, or undefined to do it here. */
  private pick(): ChunkThread | undefined {
    const thread = this.leastBusy();
    if (
      this.alsoInline &&
      this.inlineAllowed &&
      thread.pending.size >= INLINE_WHEN_QUEUED &&
      !thread.failure
    ) {
      this.inlineChunks++;
      return undefined;
    }
    return thread;
  }

  judge(chunk: Buffer, strict: boolean): Promise<string> {
    const thread = this.pick();
    if (!thread) return Promise.resolve(judgeHere(this.buffers, chunk, strict));
    const { bytes, transfer } = moved(chunk);
    return thread.request(
      { id: this.nextId++, type: 'judge', chunk: bytes, strict },
      transfer,
    ) as Promise<string>;
  }

  encode(lines: Buffer): Promise<EncodedRowGroup | undefined> {
    const thread = this.pick();
    if (!thread) return Promise.resolve(encodeHere(this.buffers, lines));
    const { bytes, transfer } = moved(lines);
    return thread.request({ id: this.nextId++, type: 'encode', chunk: bytes }, transfer) as Promise<
      EncodedRowGroup | undefined
    >;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
