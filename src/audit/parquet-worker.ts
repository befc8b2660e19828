import { parentPort } from 'node:worker_threads';
import { ParquetSink } from './parquet.js';

/** Messages from the audit's main thread to the Parquet worker (see threaded-parquet.ts). */
export type ParquetWorkerRequest =
  | { type: 'open'; file: string; meta: Record<string, string> }
  /** Accepted lines back to back in `data`; line k ends at `ends[k]`. */
  | { type: 'rows'; data: Uint8Array; ends: Int32Array }
  | { type: 'finish' }
  | { type: 'abort' };

export type ParquetWorkerReply =
  | { type: 'ack' }
  | { type: 'done'; rows: number }
  | { type: 'error'; message: string };

// Worker side of ThreadedParquetSink: parses the accepted raw lines it is sent and writes them
// to one Parquet file, so that Parquet encoding runs beside the main thread's validation.
let sink: ParquetSink | undefined;
const reply = (msg: ParquetWorkerReply) => parentPort?.postMessage(msg);

parentPort?.on('message', (msg: ParquetWorkerRequest) => {
  try {
    switch (msg.type) {
      case 'open':
        sink = new ParquetSink(msg.file, msg.meta);
        break;
      case 'rows':
        for (let k = 0, start = 0; k < msg.ends.length; k++) {
          const end = msg.ends[k] as number;
          sink?.addLine(msg.data.subarray(start, end));
          start = end;
        }
        reply({ type: 'ack' });
        break;
      case 'finish':
        sink?.finish();
        reply({ type: 'done', rows: sink?.rows ?? 0 });
        sink = undefined;
        break;
      case 'abort':
        sink?.abort();
        sink = undefined;
        break;
    }
  } catch (err) {
    sink?.abort();
    sink = undefined;
    reply({ type: 'error', message: (err as Error).message });
  }
});
