import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeChunk, encodeSplitChunk, judgeChunk } from './chunk-work.js';
import type { ChunkReply, ChunkRequest } from './chunk-worker.js';
import type { LineVerdict } from './line-verdict.js';
import type { EncodedRowGroup } from './parquet-encoder.js';

export interface SplitGroups {
  train: EncodedRowGroup | undefined;
  test: EncodedRowGroup | undefined;
}

/**
 * Where the audit's per-line work runs: parsing and validating each line, and encoding the
 * accepted ones as Parquet row groups. A chunk judged under `seq` stays with its worker until
 * `encode(seq, …)` releases it. Results are the same on threads and inline.
 */
export interface ChunkPool {
  /** Verdicts on the chunk's lines (the chunk's buffer is handed over). */
  judge(seq: number, chunk: Buffer): Promise<LineVerdict[]>;
  /** The kept lines of judged chunk `seq` as a row group, then the chunk is dropped (`keep` null: just dropped). */
  encode(seq: number, keep: Uint8Array | null): Promise<EncodedRowGroup | undefined>;
  /** The train and test row groups of a chunk (its buffer is handed over). */
  split(chunk: Buffer, sides: Uint8Array): Promise<SplitGroups>;
  close(): Promise<void>;
}

/** The pool that runs everything on the calling thread. */
export class InlineChunkPool implements ChunkPool {
  private readonly held = new Map<number, Buffer>();

  async judge(seq: number, chunk: Buffer): Promise<LineVerdict[]> {
    this.held.set(seq, chunk);
    return judgeChunk(chunk);
  }

  async encode(seq: number, keep: Uint8Array | null): Promise<EncodedRowGroup | undefined> {
    const chunk = this.held.get(seq);
    this.held.delete(seq);
    if (!chunk) throw new Error(`chunk ${seq} was not judged`);
    return keep ? encodeChunk(chunk, keep) : undefined;
  }

  async split(chunk: Buffer, sides: Uint8Array): Promise<SplitGroups> {
    return encodeSplitChunk(chunk, sides);
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}

/** The compiled worker beside this module (absent when running from TypeScript sources). */
export function chunkWorkerFile(): string | undefined {
  const file = fileURLToPath(new URL('./chunk-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

const YOUNG_GENERATION_MB = 8;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** One worker thread and the requests it has not answered yet. */
class ChunkThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  failure: Error | undefined;

  constructor(file: string) {
    // Each chunk's garbage (parsed pings) dies young: a small young generation keeps a worker's
    // memory down at no measurable cost.
    this.worker = new Worker(file, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (msg: ChunkReply) => {
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
 * Worker threads that judge and encode chunks side by side. A chunk's encode request goes to
 * the thread that judged it (which kept the chunk); new chunks go to the thread with the
 * fewest requests outstanding.
 */
export class ThreadChunkPool implements ChunkPool {
  private readonly threads: ChunkThread[];
  private readonly owner = new Map<number, ChunkThread>();
  private nextId = 0;

  constructor(file: string, threads: number) {
    this.threads = Array.from({ length: Math.max(1, threads) }, () => new ChunkThread(file));
  }

  private leastBusy(): ChunkThread {
    let best = this.threads[0] as ChunkThread;
    for (const t of this.threads) if (t.pending.size < best.pending.size) best = t;
    return best;
  }

  judge(seq: number, chunk: Buffer): Promise<LineVerdict[]> {
    const thread = this.leastBusy();
    this.owner.set(seq, thread);
    const { bytes, transfer } = moved(chunk);
    return thread.request({ id: this.nextId++, type: 'judge', seq, chunk: bytes }, transfer) as Promise<
      LineVerdict[]
    >;
  }

  encode(seq: number, keep: Uint8Array | null): Promise<EncodedRowGroup | undefined> {
    const thread = this.owner.get(seq);
    this.owner.delete(seq);
    if (!thread) return Promise.reject(new Error(`chunk ${seq} was not judged`));
    return thread.request({ id: this.nextId++, type: 'encode', seq, keep }, []) as Promise<
      EncodedRowGroup | undefined
    >;
  }

  split(chunk: Buffer, sides: Uint8Array): Promise<SplitGroups> {
    const { bytes, transfer } = moved(chunk);
    return this.leastBusy().request(
      { id: this.nextId++, type: 'split', chunk: bytes, sides },
      transfer,
    ) as Promise<SplitGroups>;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
