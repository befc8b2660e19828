/**
 * Back-fill benchmark (issue #15). Build with `npm run build`, then
 *
 *   node dist/bench/backfill/run.js [--size 40000] [--scale 10] [--workers 16]
 *
 * The shipped strata (config/strata.yaml) with targets divided by --scale, discovered from
 * the fake GitHub API (real HTTP on loopback) over a synthetic population of --size
 * repositories, twice: with dependency-file evidence (the default) and without
 * (STRATUM_DISCOVERY_EVIDENCE=0). Each manifest is then scanned by the real producer, BullMQ
 * worker, result writer and back-fill on the machine's Redis (own key prefix), with stand-in
 * clone and scan whose outcome follows the model in outcomes.ts (failed / empty / effective per
 * stratum and evidence tier); the evidence manifest is also scanned without back-fill.
 * Printed and written to bench/out/backfill.json: manifest size and reserve per stratum,
 * effective rows against target, empty and failed rates, API requests and GraphQL points per
 * effective repository, repositories scanned twice (must be 0) and the scaled G1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { projectRoot } from '../../src/core/project-root.js';
import { createRedis } from '../../src/core/redis.js';
import { BackfillPlanBuilder, readBackfillReport, runBackfill } from '../../src/producer/backfill/index.js';
import { runDiscover } from '../../src/producer/discover/run-discover.js';
import { loadStrata } from '../../src/producer/discover/strata.js';
import { enqueueManifest } from '../../src/producer/enqueue/enqueue.js';
import { openScanQueue } from '../../src/workers/queue.js';
import { startScanWorker } from '../../src/workers/scan-worker.js';
import { ResultWriter } from '../../src/workers/writer/result-writer.js';
import { type FakeRepo, generatePopulation, startFakeGitHub } from '../../test/support/fake-github/index.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../../test/support/redis.js';
import { DEFAULT_MODEL, outcomeOf, outcomeStandIns } from './outcomes.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : def;
}
const SIZE = Number(arg('size', '40000'));
const SCALE = Number(arg('scale', '10'));
const WORKERS = Number(arg('workers', '16'));
const G1_FULL = 40_000;
const ROOT = projectRoot();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratum-backfill-bench-'));
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const log = (line: string) => process.stdout.write(`${line}\n`);
const quiet = createLogger('bench', { level: 'error' });

function scaledStrataFile(): string {
  const text = readFileSync(path.join(ROOT, 'config', 'strata.yaml'), 'utf8').replace(
    /^(\s+target: )(\d+)$/gm,
    (_m, head: string, n: string) => `${head}${Math.round(Number(n) / SCALE)}`,
  );
  const file = path.join(scratch, 'strata.yaml');
  writeFileSync(file, text);
  return file;
}

interface ManifestLine {
  repo_full_name: string;
  selection_stratum: string;
  reserve?: boolean;
}

async function discover(label: string, fakeUrl: string, strataFile: string, evidence: boolean) {
  const dataDir = path.join(scratch, `discover-${label}`);
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig(
    {},
    {
      githubToken: 'bench-token',
      githubApiUrl: fakeUrl,
      githubMinIntervalMs: 0,
      githubWaitScaleMs: 1,
      discoveryEvidence: evidence,
      dataDir,
      logLevel: 'error',
    },
  );
  const started = performance.now();
  const outcome = await runDiscover(
    { strataFile, resume: false, fresh: true, dryRun: false, includeArchived: false },
    { config, dataDir, logger: quiet, print: () => undefined, tty: false },
  );
  const manifestFile = outcome.manifestFile!;
  const rows = readFileSync(manifestFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ManifestLine);
  return { manifestFile, rows, log: outcome.log!, seconds: (performance.now() - started) / 1000 };
}

async function scan(
  label: string,
  manifestFile: string,
  rows: ManifestLine[],
  backfill: boolean,
  decide: (name: string) => 'effective' | 'empty' | 'failed',
) {
  const prefix = uniquePrefix(`bench-bf-${label}`);
  const dataDir = path.join(scratch, `scan-${label}`);
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig(
    {},
    {
      queuePrefix: prefix,
      dataDir,
      workDir: path.join(scratch, `work-${label}`),
      allowLocalUrls: true,
      writerPollMs: 20,
      backfillPollMs: 100,
      logLevel: 'error',
    },
  );
  const redis = createRedis(config);
  const queue = openScanQueue(config, redis);
  const started = performance.now();
  const writer = await ResultWriter.open({
    dataDir,
    prefix,
    redis,
    queue,
    logger: quiet,
    secrets: [],
    // Generous: on a loaded machine a 3 s lock can expire between two renewals.
    lockTtlMs: 30_000,
  });
  const plan = backfill ? new BackfillPlanBuilder() : undefined;
  const enqueue = await enqueueManifest(
    config,
    redis,
    queue,
    { manifestPath: manifestFile, dataDir, resume: false, ...(plan ? { backfill: plan } : {}) },
    quiet,
  );
  const stand = outcomeStandIns(decide);
  const worker = await startScanWorker(config, {
    concurrency: WORKERS,
    logger: quiet,
    secrets: [],
    cloner: stand.cloner,
    scanner: stand.scanner,
  });
  const backfillRun =
    plan && enqueue.reserveRows > 0
      ? runBackfill(
          config,
          redis,
          queue,
          { plan: plan.build(), runId: enqueue.runId, pollMs: 100, minObserved: config.backfillMinObserved },
          quiet,
        )
      : Promise.resolve(null);
  await writer.runUntilComplete({ pollMs: 20 });
  const bf = await backfillRun;
  const report = await readBackfillReport(redis, prefix);
  await worker.close(2000);
  await writer.close();
  const seconds = (performance.now() - started) / 1000;
  // What was written, per stratum, from the result file.
  const stratumOf = new Map(rows.map((r) => [r.repo_full_name, r.selection_stratum]));
  const written = readFileSync(path.join(dataDir, 'scan_results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { repo_full_name: string; scan_status: string });
  const perStratum: Record<string, { rows: number; effective: number; empty: number; failed: number }> = {};
  const rowsPerRepo = new Map<string, number>();
  for (const w of written) {
    rowsPerRepo.set(w.repo_full_name, (rowsPerRepo.get(w.repo_full_name) ?? 0) + 1);
    const s = stratumOf.get(w.repo_full_name) ?? '?';
    const c = perStratum[s] ?? { rows: 0, effective: 0, empty: 0, failed: 0 };
    perStratum[s] = c;
    c.rows++;
    if (w.scan_status === 'success' || w.scan_status === 'partial') c.effective++;
    else if (w.scan_status === 'empty') c.empty++;
    else c.failed++;
  }
  await deleteKeysWithPrefix(redis, prefix);
  await queue.close();
  redis.disconnect();
  return {
    seconds,
    perStratum,
    rows: written.length,
    primaryRows: enqueue.manifestCount,
    reserveScanned: bf?.added ?? 0,
    decisions: report?.decisions.length ?? 0,
    scannedTwice: [...stand.calls.values()].filter((n) => n > 1).length,
    writtenTwice: [...rowsPerRepo.values()].filter((n) => n > 1).length,
    report,
  };
}

async function main(): Promise<void> {
  const population = generatePopulation({ size: SIZE, seed: 15 });
  const byName = new Map<string, FakeRepo>(population.map((r) => [r.fullName, r]));
  const fake = await startFakeGitHub({
    population,
    repoUrl: (r) => `file:///stand-in/${r.fullName}`,
  });
  const strataFile = scaledStrataFile();
  const strataLoad = await loadStrata(strataFile);
  if (!strataLoad.ok) throw new Error('scaled strata file is invalid');
  const strata = strataLoad.config.strata;
  const accepted = new Map(strata.map((s) => [s.name, s.evidence]));
  const targets = Object.fromEntries(strata.map((s) => [s.name, s.target]));
  const totalTarget = strata.reduce((a, s) => a + s.target, 0);
  log(
    `backfill bench: population ${SIZE}, shipped strata / ${SCALE} (total target ${totalTarget}), ${WORKERS} worker slots; ` +
      `${os.cpus().length} cores, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; ${new Date().toISOString()}`,
  );

  const runs: Record<string, unknown> = {};
  for (const evidence of [true, false]) {
    const label = evidence ? 'evidence' : 'no-evidence';
    fake.resetStats();
    const d = await discover(label, fake.url, strataFile, evidence);
    const api = {
      requests: fake.stats.requests,
      graphqlPoints: fake.stats.graphqlPoints,
      graphqlMiB: round(fake.stats.graphqlBytes / 1024 / 1024, 1),
      clientCountedPoints: d.log.api.graphql_points ?? 0,
    };
    const stratumOf = new Map(d.rows.map((r) => [r.repo_full_name, r.selection_stratum]));
    const decide = (name: string) =>
      outcomeOf(
        byName.get(name)!,
        stratumOf.get(name)!,
        accepted.get(stratumOf.get(name)!) ?? ['any'],
        DEFAULT_MODEL,
      );
    const manifest = Object.fromEntries(
      strata.map((s) => {
        const c = d.log.counts!.per_stratum[s.name]!;
        return [
          s.name,
          {
            target: c.target,
            found: c.found,
            primary: c.primary,
            reserve: c.reserve,
            shortfall: c.shortfall,
          },
        ];
      }),
    );
    const scans = evidence ? [true, false] : [true];
    for (const backfill of scans) {
      const key = `${label}${backfill ? '' : ', no back-fill'}`;
      const s = await scan(key.replace(/[^a-z]+/g, '-'), d.manifestFile, d.rows, backfill, decide);
      const effective = Object.values(s.perStratum).reduce((a, c) => a + c.effective, 0);
      const empty = Object.values(s.perStratum).reduce((a, c) => a + c.empty, 0);
      const failed = Object.values(s.perStratum).reduce((a, c) => a + c.failed, 0);
      const perStratum = Object.fromEntries(
        strata.map((st) => {
          const c = s.perStratum[st.name] ?? { rows: 0, effective: 0, empty: 0, failed: 0 };
          const m = manifest[st.name]!;
          return [
            st.name,
            {
              target: st.target,
              effective: c.effective,
              reached: c.effective >= st.target,
              reserveUsed: s.report?.strata[st.name]?.released ?? 0,
              reserve: m.reserve,
              emptyRate: round(c.empty / Math.max(1, c.rows)),
              failedRate: round(c.failed / Math.max(1, c.rows)),
            },
          ];
        }),
      );
      const figure = {
        run: key,
        discoverSeconds: round(d.seconds, 1),
        scanSeconds: round(s.seconds, 1),
        manifestRows: d.rows.length,
        manifestReserveRows: d.rows.filter((r) => r.reserve).length,
        manifest,
        api,
        rowsScanned: s.rows,
        primaryRows: s.primaryRows,
        reserveScanned: s.reserveScanned,
        decisions: s.decisions,
        effective,
        emptyRate: round(empty / Math.max(1, s.rows)),
        failedRate: round(failed / Math.max(1, s.rows)),
        apiRequestsPerEffective: round(api.requests / Math.max(1, effective)),
        graphqlPointsPerEffective: round(api.graphqlPoints / Math.max(1, effective)),
        scannedTwice: s.scannedTwice,
        writtenTwice: s.writtenTwice,
        g1Scaled: { min: G1_FULL / SCALE, effective, pass: effective >= G1_FULL / SCALE },
        strataReached: Object.values(perStratum).filter((p) => p.reached).length,
        perStratum,
        targets,
      };
      runs[key] = figure;
      log(JSON.stringify(figure));
    }
  }
  await fake.stop();
  const out = path.join(ROOT, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'backfill.json'),
    `${JSON.stringify({ date: new Date().toISOString(), size: SIZE, scale: SCALE, loadavg: os.loadavg(), runs }, null, 2)}\n`,
  );
  rmSync(scratch, { recursive: true, force: true });
  const bad = Object.values(runs).filter(
    (r) =>
      (r as { scannedTwice: number; writtenTwice: number }).scannedTwice > 0 ||
      (r as { writtenTwice: number }).writtenTwice > 0,
  );
  if (bad.length) {
    log('FAILED: a repository was scanned or written twice');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
