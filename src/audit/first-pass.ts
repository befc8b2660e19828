import { CHUNK_BYTES, type ChunkPool } from './chunk-pool.js';
import type { JudgedChunk } from './chunk-work.js';
import type { AuditStats } from './collect.js';
import { forEachChunk } from './line-reader.js';

/** Chunks handed to the pool but not yet judged before reading waits (memory: this many chunks). */
export const MAX_IN_FLIGHT = 5;
/**
 * Judged chunks whose verdicts (small JSON texts, ~100 KB a chunk) wait to be added before
 * reading waits: while the manifest loads, the pool goes on judging.
 */
const MAX_WAITING_VERDICTS = 64;

export const ignore = (): undefined => undefined;

/**
 * The statistics pass: chunks of the input are judged (parsed, validated) in the pool and
 * their verdicts added to the statistics in input order. `stats` may still be loading (the
 * manifest): chunks are judged meanwhile.
 */
export async function statisticsPass(options: {
  input: string;
  stats: Promise<AuditStats>;
  pool: ChunkPool;
  /** Accept only contract-valid rows (else the reference's acceptance rules and the field types). */
  strict: boolean;
  onProgress?: (bytesRead: number) => void;
}): Promise<{ bytes: number; lines: number }> {
  const { pool } = options;
  let added: Promise<unknown> = options.stats;
  const judging: Promise<unknown>[] = [];
  const adding: Promise<unknown>[] = [];
  const result = await forEachChunk(
    options.input,
    CHUNK_BYTES,
    async (chunk) => {
      const verdicts = pool.judge(chunk.bytes, options.strict);
      verdicts.catch(ignore); // awaited in order below
      const done = added.then(async () => {
        const stats = await options.stats;
        const judged = JSON.parse(await verdicts) as JudgedChunk;
        for (const v of judged.verdicts) stats.addVerdict(v, chunk.firstLine + v.at);
        stats.conformance.merge(judged.deviations, chunk.firstLine);
      });
      done.catch(ignore); // awaited through `adding` or at the end
      added = done;
      judging.push(verdicts);
      adding.push(done);
      while (judging.length >= MAX_IN_FLIGHT) await judging.shift();
      while (adding.length >= MAX_WAITING_VERDICTS) await adding.shift();
    },
    options.onProgress,
    (n) => pool.buffers.take(n),
  );
  await added;
  return result;
}
