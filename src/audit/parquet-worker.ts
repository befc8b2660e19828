import { parentPort } from 'node:worker_threads';
import { ParquetSink } from './parquet.js';

/** Messages from the audit's main thread to the Parquet worker (see threaded-parquet.ts). */
export type ParquetWorkerRequest = { sink: number } & (
  | { type: 'open'; file: string; meta: Record<string, string> }
  /** Accepted lines back to back in `data`; line k ends at `ends[k]`. */
  | { type: 'rows'; data: Uint8Array; ends: Int32Array }
  | { type: 'finish' }
  | { type: 'abort' }
);

export type ParquetWorkerReply = { sink: number } & (
  | { type: 'ack' }
  | { type: 'done'; rows: number }
  | { type: 'aborted' }
  | { type: 'error'; message: string }
);

// Worker side of ParquetWorker: writes the Parquet files it is told to open from the accepted
// lines it is sent, so that Parquet encoding runs beside the main thread's work.
const sinks = new Map<number, ParquetSink>();
const reply = (msg: ParquetWorkerReply) => parentPort?.postMessage(msg);

parentPort?.on('message', (msg: ParquetWorkerRequest) => {
  const id = msg.sink;
  try {
    switch (msg.type) {
      case 'open':
        sinks.set(id, new ParquetSink(msg.file, msg.meta));
        break;
      case 'rows': {
        const sink = sinks.get(id);
        for (let k = 0, start = 0; k < msg.ends.length; k++) {
          const end = msg.ends[k] as number;
          sink?.addLine(msg.data.subarray(start, end));
          start = end;
        }
        reply({ sink: id, type: 'ack' });
        break;
      }
      case 'finish': {
        const sink = sinks.get(id);
        sinks.delete(id);
        sink?.finish();
        reply({ sink: id, type: 'done', rows: sink?.rows ?? 0 });
        break;
      }
      case 'abort':
        sinks.get(id)?.abort();
        sinks.delete(id);
        reply({ sink: id, type: 'aborted' });
        break;
    }
  } catch (err) {
    sinks.get(id)?.abort();
    sinks.delete(id);
    reply({ sink: id, type: 'error', message: (err as Error).message });
  }
});
