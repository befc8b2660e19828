import type { Redis } from 'ioredis';
import { backfillKeys } from './backfill-keys.js';

/**
 * The back-fill decision of one stratum, taken inside Redis (one Lua script: read the counts,
 * estimate, raise the released count, log the decision) so that any number of producers, and
 * a restarted one, never release the same reserve row twice nor decide on stale counts.
 *
 *   queued   = goal + released − written        (rows assigned to the stratum, not yet written)
 *   yield    = effective / written              (the stratum's, once it has `minObserved` rows
 *                                                written or nothing left queued; else the run's
 *                                                pooled yield; with neither: no decision yet)
 *   y⁺       = Wilson upper bound of that yield (z = 2) over the rows it was measured on
 *   expected = effective + y⁺ × queued
 *   add      = min(⌈(goal − expected) / y⁺⌉, reserve − released)   when expected < goal
 *
 * Released rows cannot be taken back, so the decision counts on the optimistic end of what the
 * rows seen so far allow: a yield measured on 20 rows is uncertain by ±0.2, and deciding on its
 * low end released nearly twice the rows needed in the benchmark. Erring high only means one
 * more, smaller release later, once more rows are written.
 */
export interface Decision {
  stratum: string;
  added: number;
  releasedBefore: number;
  releasedAfter: number;
  reserve: number;
  goal: number;
  effective: number;
  written: number;
  queued: number;
  /** null when no yield could be estimated yet. */
  yield: number | null;
  basis: 'stratum' | 'pooled' | 'none';
  /** True the first time a stratum with a gap has no reserve row left. */
  exhausted: boolean;
}

// KEYS: plan released outcome decisions
// ARGV: stratum minObserved minYieldMilli nowIso maxDecisions
const DECIDE_LUA = `
local s = ARGV[1]
local goal = tonumber(redis.call('HGET', KEYS[1], 'goal:' .. s) or '0')
local reserve = tonumber(redis.call('HGET', KEYS[1], 'reserve:' .. s) or '0')
local released = tonumber(redis.call('HGET', KEYS[2], s) or '0')
local written = tonumber(redis.call('HGET', KEYS[3], s .. '|written') or '0')
local effective = tonumber(redis.call('HGET', KEYS[3], s .. '|effective') or '0')
local gw = tonumber(redis.call('HGET', KEYS[3], '*|written') or '0')
local ge = tonumber(redis.call('HGET', KEYS[3], '*|effective') or '0')
local minObs = tonumber(ARGV[2])
local queued = goal + released - written
if queued < 0 then queued = 0 end
local y = -1
local basis = 'none'
if written >= minObs or (queued == 0 and written > 0) then
  y = effective / written
  basis = 'stratum'
elseif gw >= minObs then
  y = ge / gw
  basis = 'pooled'
end
local ymilli = -1
if y >= 0 then ymilli = math.floor(y * 1000 + 0.5) end
local added = 0
local exhausted = 0
if effective < goal and basis ~= 'none' then
  local n = written
  if basis == 'pooled' then n = gw end
  local z2 = 4
  y = (y + z2 / (2 * n) + 2 * math.sqrt(y * (1 - y) / n + z2 / (4 * n * n))) / (1 + z2 / n)
  if y > 1 then y = 1 end
  local floor = tonumber(ARGV[3]) / 1000
  if y < floor then y = floor end
  local expected = effective + y * queued
  if expected < goal then
    if released >= reserve then
      if redis.call('HSETNX', KEYS[1], 'exhausted:' .. s, ARGV[4]) == 1 and reserve > 0 then exhausted = 1 end
    else
      added = math.ceil((goal - expected) / y)
      if added > reserve - released then added = reserve - released end
      redis.call('HINCRBY', KEYS[2], s, added)
    end
  end
end
if added > 0 or exhausted == 1 then
  redis.call('RPUSH', KEYS[4], cjson.encode({
    at = ARGV[4], stratum = s, yield_milli = ymilli, basis = basis, goal = goal,
    effective = effective, written = written, queued = queued, added = added,
    released = released + added, reserve = reserve, exhausted = (exhausted == 1)
  }))
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[5]), -1)
end
return {added, released, released + added, reserve, goal, effective, written, queued, ymilli, basis, exhausted}
`;

type WithScript = Redis & { stratumBackfillDecide(...args: (string | number)[]): Promise<unknown[]> };

function withScript(redis: Redis): WithScript {
  const r = redis as WithScript;
  if (typeof r.stratumBackfillDecide !== 'function')
    redis.defineCommand('stratumBackfillDecide', { numberOfKeys: 4, lua: DECIDE_LUA });
  return r;
}

/** Decisions kept in Redis (and so in the run log); older ones are still in the producers' logs. */
export const KEPT_DECISIONS = 1000;
/** A stratum whose rows all fail still gets a finite back-fill: its yield counts as at least 5 %. */
const MIN_YIELD_MILLI = 50;

export async function decide(
  redis: Redis,
  prefix: string,
  stratum: string,
  minObserved: number,
  now = new Date(),
): Promise<Decision> {
  const k = backfillKeys(prefix);
  const r = (await withScript(redis).stratumBackfillDecide(
    k.plan,
    k.released,
    k.outcome,
    k.decisions,
    stratum,
    Math.max(1, minObserved),
    MIN_YIELD_MILLI,
    now.toISOString(),
    KEPT_DECISIONS,
  )) as [number, number, number, number, number, number, number, number, number, string, number];
  return {
    stratum,
    added: r[0],
    releasedBefore: r[1],
    releasedAfter: r[2],
    reserve: r[3],
    goal: r[4],
    effective: r[5],
    written: r[6],
    queued: r[7],
    yield: r[8] < 0 ? null : r[8] / 1000,
    basis: r[9] as Decision['basis'],
    exhausted: r[10] === 1,
  };
}
