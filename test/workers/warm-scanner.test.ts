import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCounters, runKeys } from '../../src/core/run-counters.js';
import { runProcess } from '../../src/core/run-process.js';
import { encodeFrame, FrameDecoder } from '../../src/scanner/serve/frames.js';
import {
  builtInScannerCliPath,
  type ScannerRunner,
  type ScanOutcome,
} from '../../src/workers/scan/scanner-runner.js';
import { warmCountsReporter } from '../../src/workers/scan/warm-counts.js';
import { type WarmScannerOptions, WarmScannerPool } from '../../src/workers/scan/warm-scanner.js';
import { buildRunLog } from '../../src/workers/writer/run-log.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const CLI = builtInScannerCliPath();
const MISBEHAVING = path.join(FIXTURES, 'scanners', 'warm-misbehaving-server.mjs');

/** Scan fixtures: every directory of test/fixtures but the fake scanners. */
const SCAN_FIXTURES = readdirSync(FIXTURES)
  .filter((n) => n !== 'scanners')
  .filter((n) => statSync(path.join(FIXTURES, n)).isDirectory())
  .sort();

/** The ping's text with the three values that differ between any two scans blanked. */
function stable(pingText: string): string {
  return pingText
    .replace(/"scan_id":"[0-9a-f]+"/, '"scan_id":"-"')
    .replace(/"timestamp":"[^"]+"/, '"timestamp":"-"')
    .replace(/"scan_duration_ms":\d+/, '"scan_duration_ms":0');
}

class RecordingRunner implements ScannerRunner {
  readonly description = 'recording one-shot runner';
  readonly dirs: string[] = [];
  async scan(request: { dir: string }): Promise<ScanOutcome> {
    this.dirs.push(request.dir);
    return { ok: true, stdout: '{"retried":true}\n', exitCode: 0, durationMs: 1 };
  }
}

function pool(o: Partial<WarmScannerOptions> & { retry: ScannerRunner }): WarmScannerPool {
  return new WarmScannerPool({
    command: process.execPath,
    prefixArgs: [MISBEHAVING],
    size: 1,
    recycleAfterScans: 100,
    recycleAboveRssBytes: 1024 * 1024 * 1024,
    timeoutMs: 2000,
    maxResponseBytes: 1024 * 1024,
    ...o,
  });
}

const req = (dir: string) => ({
  dir: `/tmp/${dir}`,
  repoFullName: 'acme/x',
  repoUrl: 'https://example.com/x',
});

describe('frames', () => {
  it('decodes messages split anywhere and refuses an oversized frame', () => {
    const bytes = Buffer.concat([encodeFrame({ a: 1 }), encodeFrame({ b: 'ü'.repeat(10) })]);
    const d = new FrameDecoder(1024);
    const got: unknown[] = [];
    for (let i = 0; i < bytes.length; i += 3) got.push(...d.push(bytes.subarray(i, i + 3)).messages);
    expect(got).toEqual([{ a: 1 }, { b: 'ü'.repeat(10) }]);
    expect(new FrameDecoder(10).push(encodeFrame({ long: 'x'.repeat(20) })).error?.kind).toBe('too_large');
  });
});

describe('warm scanner', () => {
  it('gives every fixture the same ping, byte for byte, as a fresh process', async () => {
    const warm = new WarmScannerPool({
      command: process.execPath,
      prefixArgs: [CLI],
      requiredFile: CLI,
      size: 1,
      recycleAfterScans: 1000,
      recycleAboveRssBytes: 1024 * 1024 * 1024,
      timeoutMs: 60_000,
      maxResponseBytes: 16 * 1024 * 1024,
      // The worker's default: the pings that follow a warm-up are the same as a fresh process's.
      warmUpMs: 2000,
      retry: new RecordingRunner(),
    });
    try {
      const [ready, ...more] = await warm.prestart();
      expect(more).toEqual([]);
      expect(ready?.warmUp?.error).toBeUndefined();
      expect(ready?.warmUp?.passes).toBeGreaterThanOrEqual(1);
      for (const name of SCAN_FIXTURES) {
        const dir = path.join(FIXTURES, name);
        const fresh = await runProcess(
          process.execPath,
          [
            CLI,
            'scan',
            dir,
            '--json',
            '--repo-name',
            `fixtures/${name}`,
            '--repo-url',
            'https://example.com/r',
          ],
          { timeoutMs: 60_000 },
        );
        expect(fresh.exitCode, name).toBe(0);
        const w = await warm.scan({
          dir,
          repoFullName: `fixtures/${name}`,
          repoUrl: 'https://example.com/r',
        });
        if (!w.ok) throw new Error(`${name}: ${w.detail}`);
        expect(stable(w.stdout), name).toBe(stable(fresh.stdout));
      }
      // One process served them all.
      expect(warm.counts).toEqual({
        started: 1,
        served: SCAN_FIXTURES.length,
        recycledByCount: 0,
        recycledByMemory: 0,
        failed: 0,
        retried: 0,
      });
    } finally {
      warm.close();
    }
  }, 600_000);

  it('a crash fails only that repository: retried once in a fresh process, the slot goes on', async () => {
    const retry = new RecordingRunner();
    const p = pool({ retry });
    try {
      expect((await p.scan(req('a'))).ok).toBe(true);
      const crashed = await p.scan(req('crash-me'));
      expect(crashed).toMatchObject({ ok: true, stdout: '{"retried":true}\n' });
      expect(retry.dirs).toEqual(['/tmp/crash-me']);
      const after = await p.scan(req('b'));
      expect(after.ok && JSON.parse(after.stdout)).toEqual({ fake: true, dir: '/tmp/b' });
      expect(p.counts).toMatchObject({ started: 2, served: 2, failed: 1, retried: 1 });
    } finally {
      p.close();
    }
  });

  it('a hang is killed at the timeout and retried; so is an answer that is no frame', async () => {
    const retry = new RecordingRunner();
    const p = pool({ retry, timeoutMs: 1500 });
    try {
      const started = Date.now();
      expect((await p.scan(req('hang-forever'))).ok).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect((await p.scan(req('garbage-out'))).ok).toBe(true);
      expect(retry.dirs).toEqual(['/tmp/hang-forever', '/tmp/garbage-out']);
      const after = await p.scan(req('c'));
      expect(after.ok && JSON.parse(after.stdout)).toEqual({ fake: true, dir: '/tmp/c' });
      expect(p.counts).toMatchObject({ started: 3, failed: 2, retried: 2 });
    } finally {
      p.close();
    }
  });

  it('a failed retry reports both attempts', async () => {
    const failing: ScannerRunner = {
      description: 'failing',
      scan: async () => ({
        ok: false,
        code: 'parse_crash',
        detail: 'fresh process crashed too',
        durationMs: 1,
      }),
    };
    const p = pool({ retry: failing });
    try {
      const r = await p.scan(req('crash-again'));
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.detail).toMatch(
          /fresh process crashed too \(warm scanner first: scanner process exited \(code 70\)/,
        );
    } finally {
      p.close();
    }
  });

  it('recycles a process after N repositories and when its memory passes the bound', async () => {
    const byCount = pool({ retry: new RecordingRunner(), recycleAfterScans: 2 });
    try {
      for (const d of ['a', 'b']) expect((await byCount.scan(req(d))).ok).toBe(true);
      // The successor started as the first process retired, before any further request.
      expect(byCount.counts).toMatchObject({ started: 2, recycledByCount: 1 });
      for (const d of ['c', 'd', 'e']) expect((await byCount.scan(req(d))).ok).toBe(true);
      expect(byCount.counts).toMatchObject({
        started: 3,
        served: 5,
        recycledByCount: 2,
        recycledByMemory: 0,
        failed: 0,
        retried: 0,
      });
    } finally {
      byCount.close();
    }
    const byMemory = pool({ retry: new RecordingRunner(), recycleAboveRssBytes: 1 });
    try {
      for (const d of ['a', 'b', 'c']) expect((await byMemory.scan(req(d))).ok).toBe(true);
      // Every recycle starts the successor at once: the last one is started, never used.
      expect(byMemory.counts).toMatchObject({ started: 4, recycledByCount: 0, recycledByMemory: 3 });
    } finally {
      byMemory.close();
    }
  });

  it('prestart fills every slot before the first repository; close retires them', async () => {
    const p = pool({ retry: new RecordingRunner(), size: 3 });
    try {
      const ready = await p.prestart();
      expect(ready.map((r) => r.version)).toEqual(['fake', 'fake', 'fake']);
      expect(new Set(ready.map((r) => r.pid)).size).toBe(3);
      expect(await p.prestart()).toEqual([]);
      const results = await Promise.all(['a', 'b', 'c'].map((d) => p.scan(req(d))));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(p.counts.started).toBe(3);
    } finally {
      p.close();
    }
  });

  // Where the kernel offers transparent huge pages to processes that ask (`madvise`), Node's code is
  // mapped to them only with the flag; under `always` every process has some, so the contrast is not there.
  const THP = '/sys/kernel/mm/transparent_hugepage/enabled';
  const thpOnRequest = existsSync(THP) && readFileSync(THP, 'utf8').includes('[madvise]');
  it.skipIf(!thpOnRequest)(
    'maps the Node code of its processes to huge pages, and only with WARM_NODE_FLAGS',
    async () => {
      const hugeKb = (pid: number) =>
        Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]);
      const withFlags = pool({ retry: new RecordingRunner() });
      const without = pool({ retry: new RecordingRunner(), nodeFlags: [] });
      try {
        const [a] = await withFlags.prestart();
        const [b] = await without.prestart();
        expect(hugeKb(a?.pid as number)).toBeGreaterThanOrEqual(2048);
        expect(hugeKb(b?.pid as number)).toBe(0);
      } finally {
        withFlags.close();
        without.close();
      }
    },
  );

  it('serves several slots at once with at most `size` processes', async () => {
    const p = pool({ retry: new RecordingRunner(), size: 2 });
    try {
      const results = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((d) => p.scan(req(d))));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(p.counts.started).toBe(2);
    } finally {
      p.close();
    }
  });
});

describe('warm scanner counts in the run log', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('warmcounts');
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });

  it('scans served, recycles by count and by memory, crashes retried: all reach the run log', async () => {
    const { meta } = runKeys(prefix);
    const byCount = pool({ retry: new RecordingRunner(), recycleAfterScans: 2 });
    const byMemory = pool({ retry: new RecordingRunner(), recycleAboveRssBytes: 1 });
    const reportCount = warmCountsReporter(byCount.counts, redis, meta);
    const reportMemory = warmCountsReporter(byMemory.counts, redis, meta);
    try {
      // Two workers' pools report into the same run; each report adds only what is new.
      for (const d of ['a', 'crash-me', 'b', 'c']) {
        await byCount.scan(req(d));
        await reportCount();
      }
      for (const d of ['a', 'b']) {
        await byMemory.scan(req(d));
        await Promise.all([reportMemory(), reportMemory()]);
      }
    } finally {
      byCount.close();
      byMemory.close();
    }
    const log = buildRunLog(
      await readCounters(redis, prefix),
      { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 },
      null,
    );
    expect(log.warm_scanner).toEqual({
      // a, b, c by the first pool (crash-me went to a fresh process), a, b by the second.
      scans_served: 5,
      // Each retired or failed process is replaced at once. First pool: one for a, one started
      // at the crash for b and c, one when that is recycled after two; second pool: one for a,
      // one at each of the two recycles.
      processes_started: 6,
      recycled_by_count: 1,
      recycled_by_memory: 2,
      processes_failed: 1,
      retried_fresh: 1,
    });
  });
});
