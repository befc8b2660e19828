import type { ChunkPool } from './chunk-pool.js';
import type { AuditStats } from './collect.js';
import { forEachChunk } from './line-reader.js';
import type { ParquetGroupFile } from './parquet.js';

/** Bytes of input per chunk: about 500 pings, one Parquet row group. */
export const CHUNK_BYTES = 2 * 1024 * 1024;
/** Chunks read but not yet written before reading waits (memory: this many chunks and their row groups). */
export const MAX_IN_FLIGHT = 5;

const ignore = () => undefined;

/**
 * The statistics pass: chunks of the input are judged (parsed, validated) in the pool, their
 * verdicts are added to the statistics in input order, and the accepted rows of each chunk go
 * back to the pool to be encoded as one row group of `parquet`, appended in input order.
 * `stats` may still be loading (the manifest): chunks are judged meanwhile.
 */
export async function statisticsPass(options: {
  input: string;
  stats: Promise<AuditStats>;
  pool: ChunkPool;
  parquet?: ParquetGroupFile;
  onProgress?: (bytesRead: number) => void;
}): Promise<{ bytes: number; lines: number }> {
  const { pool, parquet } = options;
  let ordered: Promise<unknown> = options.stats;
  let written: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  const result = await forEachChunk(
    options.input,
    CHUNK_BYTES,
    async (chunk) => {
      const verdicts = pool.judge(chunk.seq, chunk.bytes);
      verdicts.catch(ignore); // awaited in order below
      const keep = ordered.then(async () => {
        const stats = await options.stats;
        const lines = await verdicts;
        const keep = parquet ? new Uint8Array(chunk.lineCount) : null;
        for (const v of lines) {
          const repo = stats.addVerdict(v, chunk.firstLine + v.at);
          if (keep && repo >= 0) keep[v.at] = 1;
        }
        return keep;
      });
      ordered = keep;
      const group = keep.then((k) => pool.encode(chunk.seq, k));
      const done = Promise.all([written, group]).then(([, g]) => {
        if (g) parquet?.addGroup(g);
      });
      done.catch(ignore); // awaited through `inFlight` or at the end
      written = done;
      inFlight.push(done);
      if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
    },
    options.onProgress,
  );
  await written;
  return result;
}
