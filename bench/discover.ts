/**
 * Benchmark of discovery against the fake GitHub API: a population of 60,000+ repositories,
 * the shipped strata, real HTTP on loopback. Prints requests per manifest repository and wall
 * time as a table. Run: `npm run build && node dist/bench/discover.js [--size 60000]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import type { DiscoveryLog } from '../src/producer/discover/discovery-log.js';
import { runDiscover } from '../src/producer/discover/run-discover.js';
import { defaultStrataFile } from '../src/producer/discover/strata.js';
import { type FaultOptions, generatePopulation, startFakeGitHub } from '../test/support/fake-github/index.js';

const TOKENS = [
  'ghp_benchTOKENaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'ghp_benchTOKENbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  'ghp_benchTOKENccccccccccccccccccccccccccccc',
];

interface Scenario {
  name: string;
  tokens: number;
  faults: Partial<FaultOptions>;
}

const SCENARIOS: Scenario[] = [
  { name: '1 token, clean', tokens: 1, faults: {} },
  { name: '3 tokens, 20 ms latency', tokens: 3, faults: { latencyMs: 20 } },
  {
    name: '3 tokens, faults',
    tokens: 3,
    faults: {
      rateLimitEvery: 50,
      secondaryRateLimitRate: 0.02,
      error502Rate: 0.02,
      connectionResetRate: 0.01,
      incompleteRate: 0.02,
    },
  },
];

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const size = argValue('--size', 60_000);
  const started = performance.now();
  const population = generatePopulation({
    size,
    seed: 2026,
    hotDays: [
      { day: '2025-03-10', count: 1800, words: 'langgraph agent' },
      { day: '2025-11-02', count: 1400, words: 'crewai crew of agents' },
    ],
  });
  const fake = await startFakeGitHub({ population, tokens: TOKENS });
  process.stdout.write(
    `population ${population.length.toLocaleString('en-US')} repositories generated in ${Math.round(performance.now() - started)} ms; fake GitHub at ${fake.url}\n\n`,
  );
  const rows: string[][] = [];
  try {
    for (const scenario of SCENARIOS) {
      Object.assign(fake.faults, {
        rateLimitEvery: 0,
        secondaryRateLimitRate: 0,
        error502Rate: 0,
        connectionResetRate: 0,
        incompleteRate: 0,
        latencyMs: 0,
        ...scenario.faults,
      });
      fake.resetStats();
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-discover-'));
      const tokens = TOKENS.slice(0, scenario.tokens);
      const config = loadConfig(
        {
          GITHUB_TOKENS: tokens.join(','),
          GITHUB_API_URL: fake.url,
          STRATUM_GITHUB_MIN_INTERVAL_MS: '0',
          STRATUM_GITHUB_WAIT_SCALE_MS: '2',
        },
        { dataDir },
      );
      const logger = createLogger('bench', {
        level: 'error',
        secrets: tokens,
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
        pretty: false,
      });
      const t0 = performance.now();
      const outcome = await runDiscover(
        {
          strataFile: defaultStrataFile(),
          resume: false,
          fresh: true,
          dryRun: false,
          includeArchived: false,
        },
        { config, dataDir, logger, print: () => {}, tty: false },
      );
      const seconds = (performance.now() - t0) / 1000;
      const log = outcome.log as DiscoveryLog;
      const records = log.manifest!.records;
      const calls = log.api.calls.probe + log.api.calls.page;
      rows.push([
        scenario.name,
        log.counts!.search_results.toLocaleString('en-US'),
        log.counts!.after_dedup.toLocaleString('en-US'),
        records.toLocaleString('en-US'),
        String(log.api.calls.probe),
        String(log.api.calls.page),
        String(log.api.requests),
        String(log.api.retries),
        String(log.api.rate_limit_sleeps.primary + log.api.rate_limit_sleeps.secondary),
        (log.api.requests / records).toFixed(4),
        `${calls} ≤ ${log.request_goal.goal}`,
        seconds.toFixed(1),
        // At GitHub's 30 searches/min per token, one call every 2 s per token.
        ((calls * 2) / 60 / scenario.tokens).toFixed(1),
      ]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    await fake.stop();
  }
  const header = [
    'scenario',
    'search results',
    'unique',
    'manifest',
    'probes',
    'pages',
    'HTTP requests',
    'retries',
    'rl sleeps',
    'requests/manifest repo',
    'calls vs goal',
    'wall s',
    'est. min on GitHub',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

await main();
