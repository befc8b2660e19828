import { parentPort } from 'node:worker_threads';
import { type Batch, type BatchReply, generateBatch } from './generate-batch.js';

// Worker side of writeTestData's parallel mode: one batch in, its JSONL as UTF-8 bytes out.
// The bytes move to the main thread (transferred, not copied), which writes them as they are.
parentPort?.on('message', (msg: { id: number; batch: Batch }) => {
  const out = generateBatch(msg.batch);
  const reply: BatchReply = { id: msg.id, pings: out.pings, manifest: out.manifest };
  parentPort?.postMessage(reply, [out.pings.buffer as ArrayBuffer, out.manifest.buffer as ArrayBuffer]);
});
