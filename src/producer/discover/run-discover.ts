import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { CommandError } from '../../core/command.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { dataFile } from '../../core/paths.js';
import { ApiStats } from './api-stats.js';
import { Checkpoint, type CheckpointState, type LedgerEntry } from './checkpoint.js';
import { type DiscoveryLog, manifestSummary, queryRecalls, requestGoal } from './discovery-log.js';
import { createGitHubClient, type GitHubSearchClient } from './github-client.js';
import { FatalGitHubError, harvest } from './harvest.js';
import { writeManifest } from './manifest-writer.js';
import { createProgress } from './progress.js';
import { dayNumber, dayOf, dayString } from './query.js';
import { type Hit, type SelectionReport, selectRepositories } from './selection.js';
import { SEARCH_RESULT_CAP } from './slicer.js';
import { formatStrataProblems, loadStrata, type StrataConfig, type Stratum } from './strata.js';

/** The `discover` command: strata → searches → selection → frozen manifest + discovery log. */
export interface DiscoverOptions {
  strataFile: string;
  stratum?: string;
  output?: string;
  resume: boolean;
  fresh: boolean;
  dryRun: boolean;
  includeArchived: boolean;
}

export interface DiscoverEnvironment {
  config: Config;
  dataDir: string;
  logger: Logger;
  /** Command output (the plan, the summary): stdout. */
  print: (text: string) => void;
  /** Progress bars when true; plain log lines otherwise. */
  tty: boolean;
  now?: () => Date;
}

export interface DiscoverOutcome {
  log: DiscoveryLog | null;
  manifestFile: string | null;
}

async function loadStrataOrFail(file: string): Promise<StrataConfig> {
  const loaded = await loadStrata(file);
  if (!loaded.ok) {
    throw new CommandError(`invalid strata file ${file}:\n${formatStrataProblems(loaded.problems)}`, 2);
  }
  return loaded.config;
}

function selectStrata(
  config: StrataConfig,
  name: string | undefined,
): Array<{ stratum: Stratum; index: number }> {
  const all = config.strata.map((stratum, index) => ({ stratum, index }));
  if (name === undefined) return all;
  const found = all.filter((s) => s.stratum.name === name);
  if (found.length === 0) {
    throw new CommandError(
      `unknown stratum "${name}"; valid names: ${config.strata.map((s) => s.name).join(', ')}`,
      2,
    );
  }
  return found;
}

export function renderPlan(config: StrataConfig, selected: ReadonlyArray<{ stratum: Stratum }>): string {
  const lines = [
    `strata file: ${config.file}`,
    `sampling seed: ${config.seed}`,
    `forks searched: ${config.includeForks}`,
    '',
  ];
  let total = 0;
  for (const { stratum } of selected) {
    total += stratum.target;
    const reserve = Math.ceil(stratum.target * stratum.reserveFactor);
    lines.push(
      `${stratum.name}  target ${stratum.target.toLocaleString('en-US')}, reserve up to ${reserve.toLocaleString('en-US')}` +
        (stratum.evidence.includes('any') ? '' : `, evidence ${stratum.evidence.join('/')}`),
    );
    for (const q of stratum.queries) lines.push(`    ${q}`);
  }
  lines.push('');
  lines.push(
    `${selected.length} strata, ${selected.reduce((s, x) => s + x.stratum.queries.length, 0)} queries, total target ${total.toLocaleString('en-US')}`,
  );
  lines.push('dry run: no request made');
  return lines.join('\n');
}

function tokensOf(config: Config): string[] {
  if (config.githubTokens.length > 0) return [...config.githubTokens];
  return config.githubToken ? [config.githubToken] : [];
}

export async function runDiscover(
  options: DiscoverOptions,
  env: DiscoverEnvironment,
): Promise<DiscoverOutcome> {
  const now = env.now ?? (() => new Date());
  const strataConfig = await loadStrataOrFail(options.strataFile);
  const selected = selectStrata(strataConfig, options.stratum);
  if (options.dryRun) {
    env.print(renderPlan(strataConfig, selected));
    return { log: null, manifestFile: null };
  }
  const tokens = tokensOf(env.config);
  if (tokens.length === 0) {
    throw new CommandError(
      'GITHUB_TOKEN is not set: discovery searches the GitHub API and needs a token ' +
        '(or several: GITHUB_TOKENS=a,b,c). Use --dry-run to see the plan without one.',
      2,
    );
  }
  const manifestFile = path.resolve(options.output ?? dataFile(env.dataDir, 'manifest'));
  const checkpointFile = dataFile(env.dataDir, 'discoveryCheckpoint');
  const checkpoint = await openCheckpoint(checkpointFile, options, strataConfig, now());
  const state = checkpoint.state;
  const stats = ApiStats.from(state.api);
  const clients: GitHubSearchClient[] = tokens.map((token, i) =>
    createGitHubClient({
      token,
      label: `token-${i + 1}`,
      baseUrl: env.config.githubApiUrl,
      logger: env.logger,
      stats,
      minIntervalMs: env.config.githubMinIntervalMs,
      waitScaleMs: env.config.githubWaitScaleMs,
      evidence: env.config.discoveryEvidence,
    }),
  );
  env.logger.info(
    {
      runId: state.run_id,
      resumed: options.resume,
      strata: selected.map((s) => s.stratum.name),
      tokens: tokens.length,
    },
    options.resume ? 'discovery resumed' : 'discovery started',
  );
  const progress = createProgress({
    strata: selected.map((s) => s.stratum.name),
    logger: env.logger,
    tty: env.tty,
  });
  let result: Awaited<ReturnType<typeof harvest>>;
  try {
    result = await harvest({
      strata: selected,
      slicing: { includeForks: strataConfig.includeForks, untilDay: dayNumber(state.until_day)! },
      clients,
      checkpoint,
      stats,
      logger: env.logger,
      progress,
      now,
    });
  } catch (err) {
    await checkpoint.close();
    if (err instanceof FatalGitHubError)
      throw new CommandError(`${err.message}; checkpoint kept at ${checkpointFile}`, 1);
    throw err;
  } finally {
    progress.stop();
  }

  const ledger = orderedLedger(state.ledger, strataConfig);
  const base = {
    run_id: state.run_id,
    started_at: state.started_at,
    resumed: options.resume,
    strata_file: strataConfig.file,
    strata_sha256: strataConfig.sha256,
    stratum_filter: state.stratum_filter,
    include_archived: state.include_archived,
    until_day: state.until_day,
    tokens: tokens.length,
    queries: queryRecalls(ledger),
    malformed_nodes: result.malformedNodes,
    ledger,
  };
  const logFile = dataFile(env.dataDir, 'discoveryLog');
  if (Object.keys(result.failures).length > 0) {
    const api = stats.snapshot();
    const log: DiscoveryLog = {
      ...base,
      status: 'incomplete',
      finished_at: now().toISOString(),
      manifest: null,
      counts: null,
      api,
      request_goal: requestGoal(ledger, api),
      failures: result.failures,
    };
    await writeJsonAtomic(logFile, log);
    await checkpoint.close();
    throw new CommandError(
      `${Object.keys(result.failures).length} search slice(s) failed after retries (see ${logFile}); ` +
        `no manifest written. The checkpoint is kept: rerun with --resume to retry them.`,
      1,
    );
  }

  const hits: Hit[] = result.hits.flatMap((hit) => {
    const entry = state.ledger[hit.key];
    if (!entry) return [];
    const stratumIndex = strataConfig.strata.findIndex((s) => s.name === entry.stratum);
    return [
      {
        stratum: entry.stratum,
        stratumIndex,
        queryIndex: entry.query_index,
        createdFrom: entry.created_range?.slice(0, 10) ?? '',
        starsFrom: starsFrom(entry.stars_range),
        sliceQuery: entry.slice_query,
        discoveredAt: hit.discoveredAt,
        repo: hit.repo,
      },
    ];
  });
  const { selected: repos, report } = selectRepositories(hits, {
    strata: selected.map((s) => ({
      name: s.stratum.name,
      target: s.stratum.target,
      reserveFactor: s.stratum.reserveFactor,
      evidence: s.stratum.evidence,
    })),
    seed: strataConfig.seed,
    includeArchived: state.include_archived,
    preferEvidence: env.config.discoveryEvidence,
  });
  const written = await writeManifest(manifestFile, repos);
  const api = stats.snapshot();
  const log: DiscoveryLog = {
    ...base,
    status: 'complete',
    finished_at: now().toISOString(),
    manifest: manifestSummary(written),
    counts: report,
    api,
    request_goal: requestGoal(ledger, api),
    failures: {},
  };
  await writeJsonAtomic(logFile, log);
  await checkpoint.remove();
  env.print(renderSummary(log, report, logFile));
  return { log, manifestFile };
}

async function openCheckpoint(
  file: string,
  options: DiscoverOptions,
  strata: StrataConfig,
  startedAt: Date,
): Promise<Checkpoint> {
  const exists = await Checkpoint.exists(file);
  if (options.resume) {
    if (!exists) throw new CommandError(`nothing to resume: no discovery checkpoint at ${file}`, 2);
    const checkpoint = await Checkpoint.resume(file);
    const s = checkpoint.state;
    const mismatch =
      s.strata_sha256 !== strata.sha256
        ? `the strata file changed since the run started (${s.strata_file})`
        : s.stratum_filter !== (options.stratum ?? null)
          ? `the run was started with --stratum ${s.stratum_filter ?? '(all)'}`
          : s.include_archived !== options.includeArchived
            ? `the run was started ${s.include_archived ? 'with' : 'without'} --keep-archived`
            : null;
    if (mismatch) {
      await checkpoint.close();
      throw new CommandError(`cannot resume run ${s.run_id}: ${mismatch}. Use --fresh to start over.`, 2);
    }
    return checkpoint;
  }
  if (exists && !options.fresh) {
    throw new CommandError(
      `an unfinished discovery run left a checkpoint at ${file}: pass --resume to continue it or --fresh to discard it`,
      2,
    );
  }
  const state: CheckpointState = {
    version: 1,
    run_id: randomUUID(),
    started_at: startedAt.toISOString(),
    until_day: dayString(dayOf(startedAt.getTime())),
    strata_file: strata.file,
    strata_sha256: strata.sha256,
    stratum_filter: options.stratum ?? null,
    include_archived: options.includeArchived,
    ledger: {},
    api: undefined,
    failed: {},
  };
  return Checkpoint.start(file, state);
}

function starsFrom(range: string | null): number {
  if (!range) return -1;
  const m = /^(?:>=)?(\d+)/.exec(range);
  return m ? Number(m[1]) : -1;
}

function orderedLedger(ledger: Record<string, LedgerEntry>, strata: StrataConfig): LedgerEntry[] {
  const index = new Map(strata.strata.map((s, i) => [s.name, i]));
  return Object.values(ledger).sort(
    (a, b) =>
      (index.get(a.stratum) ?? 0) - (index.get(b.stratum) ?? 0) ||
      a.query_index - b.query_index ||
      (a.created_range ?? '').localeCompare(b.created_range ?? '') ||
      starsFrom(a.stars_range) - starsFrom(b.stars_range) ||
      a.depth - b.depth,
  );
}

function renderSummary(log: DiscoveryLog, report: SelectionReport, logFile: string): string {
  const lines = [
    `discovery ${log.status}: ${report.selected} repositories in ${log.manifest?.path}`,
    `  sha256 ${log.manifest?.sha256}`,
    `  search results ${report.search_results}, unique ${report.after_dedup}, after exclusions and fork rule ${report.after_fork_filter}`,
    `  API: ${log.api.requests} requests (${log.api.calls.probe} probes, ${log.api.calls.page} pages, ${log.api.graphql_points ?? 0} GraphQL points), ${log.api.retries} retries, ` +
      `${log.api.rate_limit_sleeps.primary + log.api.rate_limit_sleeps.secondary} rate-limit sleeps`,
    '',
    `  ${'stratum'.padEnd(24)} ${'target'.padStart(7)} ${'found'.padStart(7)} ${'primary'.padStart(7)} ${'reserve'.padStart(7)} ${'shortfall'.padStart(9)} ${'sampled out'.padStart(11)}`,
  ];
  for (const [name, c] of Object.entries(report.per_stratum)) {
    lines.push(
      `  ${name.padEnd(24)} ${String(c.target).padStart(7)} ${String(c.found).padStart(7)} ${String(c.primary).padStart(7)} ${String(c.reserve).padStart(7)} ${String(c.shortfall).padStart(9)} ${String(c.sampled_out).padStart(11)}`,
    );
  }
  const short = shortSlices(log.ledger);
  if (short.slices > 0)
    lines.push(
      '',
      `  warning: ${short.slices} slice(s) still returned fewer repositories than GitHub counted after ` +
        `their re-queries (${short.unreturned} counted but not returned; GitHub's counts are estimates, ` +
        `so some may not exist). They are the ledger entries with status "short" in the log.`,
    );
  lines.push('', `log: ${logFile}`);
  return lines.join('\n');
}

/** Leaf slices that ended short, and how many repositories their counts promised beyond those returned. */
export function shortSlices(ledger: readonly LedgerEntry[]): { slices: number; unreturned: number } {
  let slices = 0;
  let unreturned = 0;
  for (const e of ledger) {
    if (e.status !== 'short') continue;
    slices++;
    // The smallest count seen, as the harvest judged the slice short against it.
    const seen = [e.reported_count, e.reported_at_fetch].filter((n): n is number => n !== null);
    const counted = Math.min(SEARCH_RESULT_CAP, ...seen);
    unreturned += Math.max(0, counted - e.fetched_count);
  }
  return { slices, unreturned };
}
