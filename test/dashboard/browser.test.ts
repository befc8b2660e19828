import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import { type ResultFacts, readCounters, recordResult } from '../../src/core/run-counters.js';
import { readDrainMarker } from '../../src/dashboard/audit-on-drain.js';
import type { AuditRunner } from '../../src/dashboard/audit-runner.js';
import { threadedAudit } from '../../src/dashboard/audit-thread.js';
import { type RunningDashboard, startDashboard } from '../../src/dashboard/dashboard.js';
import { runScan } from '../../src/workers/run-scan.js';
import { GitRepoFactory, manifestRow, writeManifest } from '../support/git-repos.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, testConfig } from '../workers/helpers.js';
import { seedMeta } from './helpers.js';

/**
 * A small real run watched in a real browser: a producer enqueues BullMQ jobs, a real Worker
 * processes them and records each result in the run counters (what the scan runner's writer
 * does), the dashboard serves the stats page, headless Chromium (Debian's package, driven by
 * playwright-core) watches the numbers move, and the audit link appears once the queue drains.
 */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.resolve(import.meta.dirname, '../../test-output');
const USER = 'ops';
const PASSWORD = 'browser-pw-4f1c2b';
const REPOS = 24;
const FRAMEWORKS = ['LangChain', 'CrewAI', 'LangGraph', 'AutoGen', 'LlamaIndex', 'Agno', 'SmolAgents'];
const STATUSES: ResultFacts['status'][] = ['success', 'success', 'success', 'partial', 'empty', 'failed'];

const redis = testRedis();
const prefix = uniquePrefix('browser');
const dir = tempDir('browser');
let browser: Browser;
let board: RunningDashboard;
let queue: Queue;
const audits: string[] = [];

const runAudit: AuditRunner = async (req) => {
  audits.push(req.input);
  const reportPath = path.join(req.outDir, 'dataset_audit_report.md');
  writeFileSync(reportPath, `# Dataset audit\n\nrows: ${REPOS}\n`);
  return {
    reportPath,
    auditJsonPath: path.join(req.outDir, 'audit.json'),
    gates: Array.from({ length: 8 }, (_, i) => ({
      id: `G${i + 1}`,
      name: `gate ${i + 1}`,
      pass: i !== 3,
      evidence: '',
    })),
    rows: REPOS,
    corruptLines: 0,
  };
};

function factsFor(i: number): ResultFacts {
  const status = STATUSES[i % STATUSES.length]!;
  const scored = status === 'success' || status === 'partial';
  return {
    repoFullName: `agents/repo-${i}`,
    status,
    failureReason: status === 'failed' ? 'clone_timeout' : null,
    frameworks:
      status === 'empty'
        ? []
        : [...new Set([FRAMEWORKS[i % FRAMEWORKS.length]!, ...(i % 4 === 0 ? ['LangChain'] : [])])],
    riskScore: scored ? (i * 13) % 101 : null,
    durationMs: 200 + i * 450,
    ...(status === 'failed' ? { errorDetail: `git clone of agents/repo-${i} timed out` } : {}),
    finishedAt: Date.now(),
  };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)`);
  mkdirSync(OUTPUT, { recursive: true });
  await seedMeta(redis, prefix, {
    run_id: 'run-browser',
    started_at: new Date().toISOString(),
    manifest_count: REPOS,
    enqueued: 0,
    enqueue_finished: 0,
    retries: 2,
    rate_limit_hits: 1,
  });
  queue = new Queue(SCAN_QUEUE_NAME, { connection: testRedis(), prefix });
  board = await startDashboard({
    config: loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      STRATUM_QUEUE_PREFIX: prefix,
      DASHBOARD_USER: USER,
      DASHBOARD_PASSWORD: PASSWORD,
    }),
    dataDir: dir.dir,
    host: '127.0.0.1',
    port: 0,
    readOnly: false,
    runAudit,
    drainCheckCron: '* * * * * *',
    refreshSeconds: 1,
    secrets: [PASSWORD],
    logger: silentLogger,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await board?.close();
  await queue?.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  dir.cleanup();
});

describe('stats page in a real browser', () => {
  it('shows a live run changing, links the audit when it drains, and bull-board renders', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: USER, password: PASSWORD },
      viewport: { width: 1280, height: 1000 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
    });

    await page.goto(`${board.url}/`);
    await page.waitForFunction(() => document.body.dataset.updates !== undefined);
    expect(await page.textContent('#results')).toBe('0');
    expect(await page.textContent('#manifest')).toBe(String(REPOS));

    // The producer enqueues the run, then a real worker scans it.
    await queue.addBulk(
      Array.from({ length: REPOS }, (_, i) => ({
        name: 'scan',
        data: { i },
        opts: { jobId: `scan__agents__repo-${i}`, removeOnComplete: true },
      })),
    );
    await seedMeta(redis, prefix, { enqueued: REPOS, enqueue_finished: 1 });
    const results = path.join(dir.dir, 'scan_results.jsonl');
    const worker = new Worker(
      SCAN_QUEUE_NAME,
      async (job) => {
        await sleep(220);
        // What the writer does: the row is made durable first, then counted.
        const f = factsFor(job.data.i as number);
        appendFileSync(
          results,
          `${JSON.stringify({ repo_full_name: f.repoFullName, scan_status: f.status })}\n`,
        );
        await recordResult(redis, prefix, f);
      },
      { connection: testRedis(), prefix, concurrency: 2 },
    );

    // Watch the page: the count must move through intermediate values to the full run.
    const seen: number[] = [];
    const workersSeen = new Set<string | null>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      workersSeen.add(await page.textContent('#queue-workers'));
      const n = Number(await page.textContent('#results'));
      if (seen.at(-1) !== n) seen.push(n);
      if (n === REPOS) break;
      await sleep(200);
    }
    await worker.close();
    expect(seen.at(-1)).toBe(REPOS);
    expect(seen.filter((n) => n > 0 && n < REPOS).length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(workersSeen.has('1')).toBe(true);

    // The final numbers on the page equal the run's.
    await page.waitForFunction(() => document.getElementById('percent')?.textContent === '100.0%');
    const expected = Array.from({ length: REPOS }, (_, i) => factsFor(i));
    const count = (s: string) => expected.filter((f) => f.status === s).length;
    const bars = await page.$$eval('#chart-status g', (gs) =>
      gs.map((g) => [g.getAttribute('data-label'), Number(g.getAttribute('data-value'))]),
    );
    expect(Object.fromEntries(bars)).toEqual({
      success: count('success'),
      partial: count('partial'),
      failed: count('failed'),
      empty: count('empty'),
      quarantined: 0,
    });
    const topFramework = await page.$eval('#chart-frameworks g', (g) => [
      g.getAttribute('data-label'),
      g.getAttribute('data-value'),
    ]);
    expect(topFramework).toEqual(['LangChain', '7']);
    const throughputTotal = await page.$$eval('#chart-throughput g', (gs) =>
      gs.reduce((a, g) => a + Number(g.getAttribute('data-value')), 0),
    );
    expect(throughputTotal).toBe(REPOS);
    expect(await page.textContent('#last-error')).toContain('agents/repo-23  failed (clone_timeout)');
    await page.waitForFunction(() => document.getElementById('queue-workers')?.textContent === '0');
    expect([
      await page.textContent('#retries'),
      await page.textContent('#rate-limit-hits'),
      await page.textContent('#replaced'),
    ]).toEqual(['2', '1', '0']);

    // The queue has drained and every row is written: the audit runs once and the page links it.
    await page.waitForSelector('#audit-report', { timeout: 45_000 });
    expect(await page.textContent('#audit-report')).toBe('Audit report (7/8 gates passed)');
    await page.screenshot({ path: path.join(OUTPUT, 'dashboard-stats.png'), fullPage: true });
    expect(audits).toEqual([path.join(dir.dir, 'scan_results.jsonl')]);
    const report = await context.newPage();
    await report.goto(`${board.url}/audit/report`);
    expect(await report.textContent('body')).toContain(`rows: ${REPOS}`);
    expect(problems).toEqual([]);

    // bull-board's own UI renders under the same security headers.
    const bull = await context.newPage();
    await bull.goto(`${board.url}/queues/`);
    await bull.waitForSelector('text=scan', { timeout: 30_000 });
    await bull.screenshot({ path: path.join(OUTPUT, 'bull-board.png') });
    await context.close();
  }, 120_000);
});

describe('stats page during a real scan run', () => {
  it('watches `scan` (clone → scanner → validate → writer) move, then opens the real audit it triggers', async () => {
    const scanPrefix = uniquePrefix('browser-scan');
    const data = tempDir('browser-scan-data');
    const work = tempDir('browser-scan-work');
    const repos = new GitRepoFactory();
    // Agent repositories whose (fixture) scanner takes a moment, and documentation-only ones (empty).
    const names = Array.from({ length: 9 }, (_, i) => `fleet/r${i}`);
    for (const [i, n] of names.entries())
      repos.create(n, {
        files:
          i % 3 === 2
            ? { 'README.md': '# docs only\n' }
            : { ...AGENT_REPO, 'stratum-test.json': JSON.stringify({ sleepMs: 350 }) },
      });
    const manifest = path.join(data.dir, 'repo_manifest.jsonl');
    writeManifest(
      manifest,
      names.map((n) => manifestRow(n, repos.fileUrl(n))),
    );
    const config = testConfig({
      queuePrefix: scanPrefix,
      dataDir: data.dir,
      workDir: work.dir,
      dashboardUser: USER,
      dashboardPassword: PASSWORD,
    });
    const scanBoard = await startDashboard({
      config,
      dataDir: data.dir,
      host: '127.0.0.1',
      port: 0,
      readOnly: false,
      runAudit: threadedAudit,
      drainCheckCron: '* * * * * *',
      refreshSeconds: 1,
      secrets: [PASSWORD],
      logger: silentLogger,
    });
    const context = await browser.newContext({
      httpCredentials: { username: USER, password: PASSWORD },
      viewport: { width: 1280, height: 1000 },
    });
    try {
      const page = await context.newPage();
      await page.goto(`${scanBoard.url}/`);
      await page.waitForFunction(() => document.body.dataset.updates !== undefined);
      expect(await page.textContent('#results')).toBe('0');

      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), 150_000);
      const scanning = runScan(
        { config, dataDir: data.dir, logger: silentLogger, secrets: [] },
        { manifest, workers: 2, resume: false, signal: stop.signal, tty: false },
      ).finally(() => clearTimeout(timer));

      const seen: number[] = [];
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        const n = Number(await page.textContent('#results'));
        if (seen.at(-1) !== n) seen.push(n);
        if (n === names.length) break;
        await sleep(150);
      }
      const summary = await scanning;
      expect(summary.outcome).toBe('complete');
      expect(seen.at(-1)).toBe(names.length);
      expect(seen.filter((n) => n > 0 && n < names.length).length).toBeGreaterThanOrEqual(1);

      // The page's numbers are the writer's counters.
      const counters = await readCounters(redis, scanPrefix);
      await page.waitForFunction(() => document.getElementById('percent')?.textContent === '100.0%');
      const bars = Object.fromEntries(
        await page.$$eval('#chart-status g', (gs) =>
          gs.map((g) => [g.getAttribute('data-label'), Number(g.getAttribute('data-value'))]),
        ),
      );
      expect(bars).toEqual(counters.byStatus);
      expect(counters.byStatus.empty).toBe(3);

      // Drained: the real audit runs once and the page links its report.
      await page.waitForSelector('#audit-report', { timeout: 60_000 });
      await page.screenshot({ path: path.join(OUTPUT, 'dashboard-scan.png'), fullPage: true });
      const marker = await readDrainMarker(redis, scanPrefix, counters.meta.run_id!);
      expect(marker).toMatchObject({ state: 'done', attempts: 1, rows: names.length });
      expect(await page.textContent('#audit-report')).toBe(
        `Audit report (${marker!.gatesPassed}/${marker!.gatesTotal} gates passed)`,
      );
      await page.click('#audit-report');
      await page.waitForLoadState();
      const report = (await page.textContent('body')) ?? '';
      expect(report.length).toBeGreaterThan(200);
      expect(existsSync(path.join(data.dir, 'audit.json'))).toBe(true);
    } finally {
      await context.close();
      await scanBoard.close();
      await deleteKeysWithPrefix(redis, scanPrefix);
      repos.cleanup();
      data.cleanup();
      work.cleanup();
    }
    // A shared 2-core machine under a full parallel suite: clones, scanner processes and the
    // audit can take far longer than alone (about 30 s).
  }, 240_000);
});
