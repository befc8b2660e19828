import { parentPort } from 'node:worker_threads';
import { encodeRows, judgeChunkText } from './chunk-work.js';

/** Requests from the audit's main thread to a chunk worker (see chunk-pool.ts). */
export type ChunkRequest =
  | { id: number; type: 'judge'; chunk: Uint8Array; strict: boolean }
  | { id: number; type: 'encode'; chunk: Uint8Array };

/** Every reply hands the request's chunk back (moved, not copied) for its buffer to be reused. */
export type ChunkReply =
  | { id: number; type: 'result'; result: unknown; chunk: Uint8Array }
  | { id: number; type: 'error'; message: string; chunk: Uint8Array };

// Worker side of ThreadChunkPool.
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

parentPort?.on('message', (msg: ChunkRequest) => {
  const back = [msg.chunk.buffer as ArrayBuffer];
  try {
    if (msg.type === 'judge') {
      const result = judgeChunkText(asBuffer(msg.chunk), msg.strict);
      parentPort?.postMessage(
        { id: msg.id, type: 'result', result, chunk: msg.chunk } satisfies ChunkReply,
        back,
      );
      return;
    }
    const group = encodeRows(asBuffer(msg.chunk));
    const transfer = group ? [...back, group.bytes.buffer as ArrayBuffer] : back;
    parentPort?.postMessage(
      { id: msg.id, type: 'result', result: group, chunk: msg.chunk } satisfies ChunkReply,
      transfer,
    );
  } catch (err) {
    parentPort?.postMessage(
      { id: msg.id, type: 'error', message: (err as Error).message, chunk: msg.chunk } satisfies ChunkReply,
      back,
    );
  }
});
