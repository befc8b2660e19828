import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../../src/core/run-counters.js';
import { authorized, isLoopbackHost, safeEqual } from '../../src/dashboard/access.js';
import { runMonitor } from '../../src/dashboard/monitor.js';
import { bar, formatEta, renderMonitor, sparkline } from '../../src/dashboard/monitor-view.js';
import { buildSnapshot, etaSeconds, throughputPerMinute } from '../../src/dashboard/stats.js';
import { createSnapshotSource } from '../../src/dashboard/stats-source.js';
import { tempDir } from '../support/tmp.js';

const MIN = 60_000;

describe('throughput and ETA', () => {
  const now = 1000 * MIN + 30_000; // 30 s into minute 1000

  it('divides the last five minute buckets by the time they cover', () => {
    const perMinute = { '995': 50, '996': 10, '997': 20, '998': 30, '999': 40, '1000': 9 };
    // buckets 996..1000 = 109 results over 4.5 min (minute 995 is outside the window)
    expect(throughputPerMinute(perMinute, now, null)).toBeCloseTo(109 / 4.5, 10);
  });

  it('does not count time before the run started', () => {
    const started = 999 * MIN; // 1.5 min before now
    expect(throughputPerMinute({ '999': 3, '1000': 3 }, now, started)).toBeCloseTo(6 / 1.5, 10);
    expect(throughputPerMinute({}, started + 500, started)).toBeNull();
  });

  it('gives the ETA from the remaining repositories', () => {
    expect(etaSeconds(120, 60)).toBe(120);
    expect(etaSeconds(0, null)).toBe(0);
    expect(etaSeconds(5, 0)).toBeNull();
    expect(formatEta(3 * 3600 + 7 * 60 + 5)).toBe('3h 07m');
    expect(formatEta(65)).toBe('1m 05s');
    expect(formatEta(null)).toBe('unknown (no recent results)');
  });
});

describe('monitor frame', () => {
  it('renders bars and sparklines proportionally', () => {
    expect(bar(1, 3, 9)).toBe('███░░░░░░');
    expect(bar(5, 0, 4)).toBe('░░░░');
    expect(bar(7, 5, 4)).toBe('████');
    expect(sparkline([0, 1, 2, 4])).toBe('▁▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it('keeps repository-controlled text from driving the terminal', () => {
    const c = emptyCounters();
    c.results = 1;
    c.byStatus.failed = 1;
    c.byFramework['\x1b[2JEvil'] = 1;
    c.lastError = {
      repo: 'o/\x1b]0;pwn\x07r',
      status: 'failed',
      reason: 'x',
      detail: 'line1\nline2\x1b[31m',
      at: 'T',
    };
    const text = renderMonitor(
      buildSnapshot({ counters: c, queue: null, now: 0, source: 'redis', sourceNote: 'n' }),
    );
    expect(text).not.toMatch(/[\x1b\x07]/);
    expect(text).toContain('?[2JEvil');
    expect(text).toContain('Last error  o/?]0;pwn?r  failed (x) at T: line1 line2?[31m');
  });

  it('redraws in place on a terminal and prints plain blocks otherwise', async () => {
    for (const tty of [true, false]) {
      const out = Object.assign(new PassThrough(), { isTTY: tty });
      let chunks = '';
      out.on('data', (d) => {
        chunks += String(d);
      });
      const stop = new AbortController();
      let frames = 0;
      const source = async () => {
        if (++frames === 2) setImmediate(() => stop.abort());
        const c = emptyCounters();
        c.results = frames;
        return buildSnapshot({ counters: c, queue: null, now: 0, source: 'redis', sourceNote: 'test' });
      };
      await runMonitor({ source, once: false, intervalSeconds: 1, out, secrets: [], signal: stop.signal });
      expect(frames).toBe(2);
      const clears = chunks.split('\x1b[H\x1b[2J').length - 1;
      expect(clears).toBe(tty ? 2 : 0);
      expect(chunks.includes('\x1b[?25l') && chunks.endsWith('\x1b[?25h')).toBe(tty);
      expect(chunks).toContain('Progress  1 repo (manifest size unknown)');
      expect(chunks).toContain('Progress  2 repos');
    }
  });
});

describe('credentials', () => {
  const c = { token: 'tok', user: 'u', password: 'p:w' };
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

  it('accepts exactly the configured bearer token or user and password', () => {
    expect(authorized('Bearer tok', c)).toBe(true);
    expect(authorized('bearer tok', c)).toBe(true);
    expect(authorized(basic('u:p:w'), c)).toBe(true);
    for (const bad of [
      'Bearer tok2',
      'Bearer to',
      basic('u:p'),
      basic('U:p:w'),
      basic('u'),
      'tok',
      '',
      'Digest x',
    ])
      expect(authorized(bad, c), bad).toBe(false);
    expect(authorized('Bearer tok', { user: 'u', password: 'p' })).toBe(false);
    expect(authorized(basic('u:p'), { token: 'tok' })).toBe(false);
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'ab')).toBe(false);
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com', '128.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('snapshot cache', () => {
  it('serves one read for its lifetime, and reads afresh once invalidated', async () => {
    const { dir, cleanup } = tempDir('snapshot-cache');
    try {
      const results = path.join(dir, 'scan_results.jsonl');
      const row = (repo: string, status: string) =>
        `${JSON.stringify({ repo_full_name: repo, scan_status: status, scan_duration_ms: 10, frameworks: [] })}\n`;
      appendFileSync(results, row('a/one', 'failed'));
      const source = createSnapshotSource({ dataDir: dir, cacheMs: 60_000, now: () => 1000 * MIN });
      expect((await source()).byStatus).toMatchObject({ failed: 1, success: 0 });
      appendFileSync(results, row('a/two', 'success'));
      expect((await source()).byStatus).toMatchObject({ failed: 1, success: 0 });
      source.invalidate();
      expect((await source()).byStatus).toMatchObject({ failed: 1, success: 1 });
    } finally {
      cleanup();
    }
  });
});
