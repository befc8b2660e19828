import { parentPort } from 'node:worker_threads';
import { encodeRows, judgeChunkText } from './chunk-work.js';

/** Requests from the audit's main thread to a chunk worker (see chunk-pool.ts). */
export type ChunkRequest =
  | { id: number; type: 'judge'; chunk: Uint8Array }
  | { id: number; type: 'encode'; chunk: Uint8Array };

export type ChunkReply =
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; message: string };

// Worker side of ThreadChunkPool.
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

parentPort?.on('message', (msg: ChunkRequest) => {
  try {
    if (msg.type === 'judge') {
      parentPort?.postMessage({
        id: msg.id,
        type: 'result',
        result: judgeChunkText(asBuffer(msg.chunk)),
      } satisfies ChunkReply);
      return;
    }
    const group = encodeRows(asBuffer(msg.chunk));
    const transfer = group ? [group.bytes.buffer as ArrayBuffer] : [];
    parentPort?.postMessage({ id: msg.id, type: 'result', result: group } satisfies ChunkReply, transfer);
  } catch (err) {
    parentPort?.postMessage({
      id: msg.id,
      type: 'error',
      message: (err as Error).message,
    } satisfies ChunkReply);
  }
});
