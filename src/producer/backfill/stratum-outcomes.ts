import type { Redis } from 'ioredis';
import type { Ping, QuarantineRecord } from '../../core/contract/index.js';
import { backfillKeys, isTrackedStratum } from './backfill-keys.js';

/**
 * Per-stratum outcome counts (rows written, effective rows = success + partial), kept by the
 * result writer as each row becomes durable and re-applied from the files when it starts, so
 * the back-fill and the monitor read them in O(strata). Idempotent per repository.
 */
export interface StratumOutcome {
  repoFullName: string;
  stratum: string;
  effective: boolean;
}

const RECORD_LUA = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|written', 1)
redis.call('HINCRBY', KEYS[2], '*|written', 1)
if ARGV[3] == '1' then
  redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|effective', 1)
  redis.call('HINCRBY', KEYS[2], '*|effective', 1)
end
return 1
`;

type WithScript = Redis & { stratumBackfillOutcome(...args: (string | number)[]): Promise<number> };

function withScript(redis: Redis): WithScript {
  const r = redis as WithScript;
  if (typeof r.stratumBackfillOutcome !== 'function')
    redis.defineCommand('stratumBackfillOutcome', { numberOfKeys: 2, lua: RECORD_LUA });
  return r;
}

export function outcomeOfRow(file: 'results' | 'quarantine', row: Ping | QuarantineRecord): StratumOutcome {
  if (file === 'results') {
    const ping = row as Ping;
    return {
      repoFullName: ping.repo_full_name,
      stratum: ping.selection_stratum ?? '',
      effective: ping.scan_status === 'success' || ping.scan_status === 'partial',
    };
  }
  const q = row as QuarantineRecord;
  const inner = (typeof q.ping === 'object' && q.ping !== null ? q.ping : {}) as Record<string, unknown>;
  return {
    repoFullName: q.repo_full_name,
    stratum: typeof inner.selection_stratum === 'string' ? inner.selection_stratum : '',
    effective: false,
  };
}

/** Counts written rows per stratum; returns how many were new. */
export async function recordStratumOutcomes(
  redis: Redis,
  prefix: string,
  outcomes: readonly StratumOutcome[],
): Promise<number> {
  const keys = backfillKeys(prefix);
  const r = withScript(redis);
  const added = await Promise.all(
    outcomes
      .filter((o) => isTrackedStratum(o.stratum))
      .map((o) =>
        r.stratumBackfillOutcome(
          keys.counted,
          keys.outcome,
          o.repoFullName,
          o.stratum,
          o.effective ? '1' : '0',
        ),
      ),
  );
  return added.filter((a) => a === 1).length;
}
