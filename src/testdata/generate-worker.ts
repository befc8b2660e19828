import { parentPort } from 'node:worker_threads';
import { type Batch, generateBatch } from './generate-batch.js';

// Worker side of writeTestData's parallel mode: one batch in, its JSONL text out.
parentPort?.on('message', (msg: { id: number; batch: Batch }) => {
  parentPort?.postMessage({ id: msg.id, ...generateBatch(msg.batch) });
});
