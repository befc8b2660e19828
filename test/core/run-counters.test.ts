import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accumulate,
  durationQuantileMs,
  emptyCounters,
  isRecorded,
  type ResultFacts,
  readCounters,
  recordResult,
} from '../../src/core/run-counters.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';

const redis = testRedis();
const prefix = uniquePrefix('counters');

const rows: ResultFacts[] = [
  {
    repoFullName: 'a/1',
    status: 'success',
    failureReason: null,
    frameworks: ['CrewAI', 'LangChain'],
    riskScore: 15,
    durationMs: 90,
    finishedAt: 60_000 * 10,
  },
  {
    repoFullName: 'a/2',
    status: 'partial',
    failureReason: null,
    frameworks: ['CrewAI'],
    riskScore: 85,
    durationMs: 3000,
    finishedAt: 60_000 * 10 + 5,
  },
  {
    repoFullName: 'a/3',
    status: 'failed',
    failureReason: 'clone_404',
    frameworks: [],
    riskScore: null,
    durationMs: 400,
    errorDetail: 'not found',
    finishedAt: 60_000 * 11,
  },
  {
    repoFullName: 'a/4',
    status: 'quarantined',
    failureReason: null,
    frameworks: ['LangGraph'],
    riskScore: null,
    durationMs: 700_000,
    errorDetail: '/risk_score: must be <= 100',
    finishedAt: 60_000 * 12,
  },
];

describe('run counters', () => {
  beforeAll(async () => {
    for (const r of rows) expect(await recordResult(redis, prefix, r)).toBe(true);
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });

  it('counts each repository once, however often it is recorded', async () => {
    expect(await recordResult(redis, prefix, rows[0]!)).toBe(false);
    expect(await isRecorded(redis, prefix, 'a/1')).toBe(true);
    expect(await isRecorded(redis, prefix, 'a/9')).toBe(false);
    const c = await readCounters(redis, prefix);
    expect(c.results).toBe(4);
    expect(c.byStatus).toEqual({ success: 1, partial: 1, failed: 1, empty: 0, quarantined: 1 });
  });

  it('reads exactly what the rows contributed, and matches the in-memory fallback', async () => {
    const c = await readCounters(redis, prefix);
    expect(c.byFailure).toEqual({ clone_404: 1 });
    expect(c.byFramework).toEqual({ CrewAI: 2, LangChain: 1, LangGraph: 1 });
    expect(c.byScoreBucket).toEqual({ '0-20': 1, '21-40': 0, '41-60': 0, '61-80': 0, '81-100': 1 });
    expect(c.durationHistogram).toEqual({ '100': 1, '500': 1, '5000': 1, '+Inf': 1 });
    expect(c.durationSumMs).toBe(90 + 3000 + 400 + 700_000);
    expect(c.perMinute).toEqual({ '10': 2, '11': 1, '12': 1 });
    expect(c.lastError).toMatchObject({ repo: 'a/4', status: 'quarantined' });

    const mem = emptyCounters();
    for (const r of rows) accumulate(mem, r);
    expect({ ...mem, meta: {} }).toEqual({ ...c, meta: {} });
  });

  it('derives quantiles from the histogram', async () => {
    const c = await readCounters(redis, prefix);
    expect(durationQuantileMs(c, 0.5)).toBe(500);
    expect(durationQuantileMs(c, 0.95)).toBe(Number.POSITIVE_INFINITY);
    expect(durationQuantileMs(emptyCounters(), 0.95)).toBeNull();
  });
});
