import { parentPort } from 'node:worker_threads';
import { encodeChunk, encodeSplitChunk, judgeChunk } from './chunk-work.js';
import type { EncodedRowGroup } from './parquet-encoder.js';

/** Requests from the audit's main thread to a chunk worker (see chunk-pool.ts). */
export type ChunkRequest =
  | { id: number; type: 'judge'; seq: number; chunk: Uint8Array }
  | { id: number; type: 'encode'; seq: number; keep: Uint8Array | null }
  | { id: number; type: 'split'; chunk: Uint8Array; sides: Uint8Array };

export type ChunkReply =
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; message: string };

// Worker side of ThreadChunkPool: judges chunks, keeps each until the main thread says which
// of its rows to encode, and encodes the split's row groups.
const held = new Map<number, Buffer>();
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function transferOf(...groups: Array<EncodedRowGroup | undefined>): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const g of groups) if (g) out.push(g.bytes.buffer as ArrayBuffer);
  return out;
}

parentPort?.on('message', (msg: ChunkRequest) => {
  try {
    switch (msg.type) {
      case 'judge': {
        const chunk = asBuffer(msg.chunk);
        held.set(msg.seq, chunk);
        parentPort?.postMessage({
          id: msg.id,
          type: 'result',
          result: judgeChunk(chunk),
        } satisfies ChunkReply);
        break;
      }
      case 'encode': {
        const chunk = held.get(msg.seq);
        held.delete(msg.seq);
        if (!chunk) throw new Error(`chunk ${msg.seq} was not judged here`);
        const group = msg.keep ? encodeChunk(chunk, msg.keep) : undefined;
        parentPort?.postMessage(
          { id: msg.id, type: 'result', result: group } satisfies ChunkReply,
          transferOf(group),
        );
        break;
      }
      case 'split': {
        const groups = encodeSplitChunk(asBuffer(msg.chunk), msg.sides);
        parentPort?.postMessage(
          { id: msg.id, type: 'result', result: groups } satisfies ChunkReply,
          transferOf(groups.train, groups.test),
        );
        break;
      }
    }
  } catch (err) {
    parentPort?.postMessage({
      id: msg.id,
      type: 'error',
      message: (err as Error).message,
    } satisfies ChunkReply);
  }
});
