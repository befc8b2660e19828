import type { Logger } from '../../core/logger.js';
import { rowTimestamp } from '../../core/timestamp.js';
import type { ApiStats } from './api-stats.js';
import type { Checkpoint, FoundHit, LedgerEntry, SliceStatus } from './checkpoint.js';
import { type GitHubSearchClient, PAGE_SIZE } from './github-client.js';
import type { ProgressReporter } from './progress.js';
import { formatDayRange, formatStarRange, isSubsumedBy } from './query.js';
import type { DiscoveredRepo } from './repository.js';
import {
  type QueryRef,
  rootSlice,
  SEARCH_RESULT_CAP,
  type Slice,
  type SliceOptions,
  splitSlice,
} from './slicer.js';
import type { Stratum } from './strata.js';

/**
 * Runs the searches of the selected strata: probes each slice's count (REST, per_page=1),
 * splits slices over the cap, fetches the rest page by page (GraphQL, 100 per page, all
 * metadata included), re-queries slices that come back short, and checkpoints after each
 * slice. Tokens work in parallel, each on one slice at a time.
 */
export interface HarvestOptions {
  strata: ReadonlyArray<{ stratum: Stratum; index: number }>;
  slicing: SliceOptions;
  clients: readonly GitHubSearchClient[];
  checkpoint: Checkpoint;
  stats: ApiStats;
  logger: Logger;
  progress: ProgressReporter;
  /** Fetches of a slice that came back short before it is recorded as short. */
  maxSliceAttempts?: number;
  /** Probes of a count that came back with incomplete_results. */
  maxProbeAttempts?: number;
  now?: () => Date;
}

export interface HarvestResult {
  /** Repositories of every finished slice, this run's and a resumed run's predecessors'. */
  hits: FoundHit[];
  /** Slices that failed after all retries (key → reason); empty on success. */
  failures: Record<string, string>;
  malformedNodes: number;
}

/** A failure that makes every further request pointless (bad credentials). */
export class FatalGitHubError extends Error {
  override name = 'FatalGitHubError';
}

/** A slice whose requests keep failing is run at most this many times before it is recorded as failed. */
const MAX_SLICE_RUNS = 3;
const FINISHED: ReadonlySet<SliceStatus> = new Set(['done', 'short', 'capped', 'subsumed']);
/** Pages per fetch attempt: the cap is 10 pages of 100; a few more absorb moving counts. */
const MAX_PAGES_PER_ATTEMPT = 12;

/** A slice's count: probed, or estimated from its parent and sibling. */
interface Counted {
  count: number;
  incomplete: number;
  /** False when every probe came back incomplete, or when the count is an estimate. */
  reliable: boolean;
  estimated?: boolean;
}

interface Task {
  slice: Slice;
  /** Known before the slice is run (set when its parent split); probed otherwise. */
  counted?: Counted;
}

interface Counters {
  known: number;
  done: number;
  repos: number;
}

export async function harvest(options: HarvestOptions): Promise<HarvestResult> {
  const { checkpoint, stats, logger } = options;
  const ledger = checkpoint.state.ledger;
  const now = options.now ?? (() => new Date());
  const maxSliceAttempts = options.maxSliceAttempts ?? 5;
  const maxProbeAttempts = options.maxProbeAttempts ?? 3;
  const hits = await checkpoint.loadHits();
  const counters = new Map<string, Counters>();
  let malformedNodes = 0;
  for (const { stratum } of options.strata) counters.set(stratum.name, { known: 0, done: 0, repos: 0 });
  for (const hit of hits) {
    const stratum = ledger[hit.key]?.stratum;
    const c = stratum ? counters.get(stratum) : undefined;
    if (c) c.repos++;
  }
  const report = (stratum: string) => {
    const c = counters.get(stratum)!;
    options.progress.update(stratum, { slicesDone: c.done, slicesKnown: c.known, repos: c.repos });
  };

  const queue: Task[] = [];
  for (const { stratum, index } of options.strata) {
    stratum.parsedQueries.forEach((parsed, queryIndex) => {
      const ref: QueryRef = {
        stratum: stratum.name,
        stratumIndex: index,
        queryIndex,
        text: stratum.queries[queryIndex]!,
        parsed,
      };
      const root = rootSlice(ref, options.slicing);
      const broader = stratum.parsedQueries.findIndex(
        (other, i) => i < queryIndex && isSubsumedBy(parsed, other),
      );
      counters.get(stratum.name)!.known++;
      if (broader >= 0) {
        counters.get(stratum.name)!.done++;
        if (!ledger[root.key]) {
          ledger[root.key] = {
            ...entryFor(root, 'subsumed', now()),
            note: `every match is also a match of "${stratum.queries[broader]}", fetched in full`,
          };
        }
        return;
      }
      queue.push({ slice: root });
    });
    report(stratum.name);
  }

  const failures: Record<string, string> = {};
  let fatal: Error | undefined;

  /** The count of a slice; `reliable` is false when every probe came back incomplete. */
  async function probe(client: GitHubSearchClient, slice: Slice): Promise<Counted> {
    let count = 0;
    let incomplete = 0;
    for (let attempt = 1; attempt <= maxProbeAttempts; attempt++) {
      const result = await client.countRepositories(slice.query);
      count = Math.max(count, result.totalCount);
      if (!result.incomplete) return { count, incomplete, reliable: true };
      incomplete++;
    }
    return { count, incomplete, reliable: false };
  }

  /**
   * The halves of a slice over the cap, with their counts: the first is probed, the second's
   * count is the parent's minus the first's (an estimate the GraphQL count checks when the
   * slice is fetched), which saves a probe per split.
   */
  async function countedHalves(client: GitHubSearchClient, children: [Slice, Slice], parentCount: number) {
    const [a, b] = children;
    const first = await probe(client, a);
    const second: Counted = {
      count: Math.max(0, parentCount - first.count),
      incomplete: 0,
      reliable: false,
      estimated: true,
    };
    return [
      { slice: a, counted: first },
      { slice: b, counted: second },
    ];
  }

  /** Runs one slice; returns the slices it split into. */
  async function runSlice(client: GitHubSearchClient, task: Task): Promise<Task[]> {
    const { slice } = task;
    const previous = ledger[slice.key];
    if (previous?.status === 'split')
      return (splitSlice(slice, options.slicing) ?? []).map((child) => ({ slice: child }));
    if (previous && FINISHED.has(previous.status)) return [];

    const counted = task.counted ?? (await probe(client, slice));
    const entry: LedgerEntry = {
      ...entryFor(slice, 'done', now()),
      reported_count: counted.count,
      incomplete_probes: counted.incomplete,
      ...(counted.estimated ? { note: 'count estimated from its sibling (parent minus sibling)' } : {}),
    };
    if (counted.count > SEARCH_RESULT_CAP) {
      const children = splitSlice(slice, options.slicing);
      if (children) {
        await checkpoint.recordEntry({ ...entry, status: 'split' }, stats.snapshot());
        return countedHalves(client, children, counted.count);
      }
    }
    if (counted.count === 0 && counted.reliable) {
      await checkpoint.recordSlice(entry, [], stats.snapshot());
      return [];
    }
    const children = await fetchSlice(client, slice, entry);
    return children.map((child) => ({ slice: child }));
  }

  async function fetchSlice(client: GitHubSearchClient, slice: Slice, entry: LedgerEntry): Promise<Slice[]> {
    const found = new Map<string, DiscoveredRepo>();
    const capped = (entry.reported_count ?? 0) > SEARCH_RESULT_CAP;
    // What the slice should hold: the smallest count GitHub reported with the pages (the
    // probe is left out: an incomplete probe under-reports). Counts that drift up and down
    // settle after a re-query or two; repositories missing from a page that timed out are
    // re-queried until the counts are met or the attempts run out.
    const observed: number[] = [];
    let pages = 0;
    let attempts = 1;
    /** Every page of the walk: the cursor it starts after and how many nodes it brought. */
    const walked: Array<{ after: string | null; got: number }> = [];

    const fetchPage = async (after: string | null) => {
      const result = await client.searchRepositories(slice.query, after);
      pages++;
      observed.push(result.repositoryCount);
      for (const repo of result.repos) {
        const key = repo.fullName.toLowerCase();
        if (!found.has(key)) found.set(key, repo);
      }
      if (result.malformed.length) {
        malformedNodes += result.malformed.length;
        logger.warn(
          { slice: slice.query, malformed: result.malformed.slice(0, 5) },
          'search nodes skipped: malformed',
        );
      }
      return result;
    };
    const walk = async (after: string | null) => {
      let cursor = after;
      for (let page = 0; page < MAX_PAGES_PER_ATTEMPT; page++) {
        const result = await fetchPage(cursor);
        walked.push({ after: cursor, got: result.repos.length + result.malformed.length });
        if (!result.hasNextPage || !result.endCursor) return;
        cursor = result.endCursor;
      }
    };
    const split = async (note: string): Promise<Slice[] | null> => {
      const children = splitSlice(slice, options.slicing);
      if (!children) return null;
      await checkpoint.recordEntry(
        { ...entry, status: 'split', reported_at_fetch: Math.max(...observed), pages, note },
        stats.snapshot(),
      );
      return children;
    };

    const first = await fetchPage(null);
    walked.push({ after: null, got: first.repos.length + first.malformed.length });
    // The count moved over the cap since the probe: split instead (ranges only shrink).
    if (!capped && first.repositoryCount > SEARCH_RESULT_CAP) {
      const children = await split('count rose over the cap');
      if (children) return children;
    }
    if (first.hasNextPage && first.endCursor) await walk(first.endCursor);
    if (!capped && found.size >= SEARCH_RESULT_CAP) {
      // The walk hit the cap although the counts said the slice was under it: it may hold
      // more than GitHub lets us page through, so split it after all.
      const children = await split('paging reached the cap');
      if (children) return children;
    }
    while (found.size < Math.min(SEARCH_RESULT_CAP, ...observed) && attempts < maxSliceAttempts) {
      attempts++;
      logger.info(
        {
          slice: slice.query,
          expected: Math.min(SEARCH_RESULT_CAP, ...observed),
          fetched: found.size,
          attempt: attempts,
        },
        'slice came back short: re-querying',
      );
      // Re-query only the pages that came back short (a page that timed out); when none
      // did, the last page (repositories created since, or a count that moved).
      const lastIndex = walked.length - 1;
      const short = walked.filter((p, i) => i < lastIndex && p.got < PAGE_SIZE);
      const targets = short.length > 0 ? short : [walked[lastIndex]!];
      for (const target of targets) {
        const result = await fetchPage(target.after);
        target.got = Math.max(target.got, result.repos.length + result.malformed.length);
        if (target === walked[lastIndex] && result.hasNextPage && result.endCursor)
          await walk(result.endCursor);
      }
    }
    const expected = Math.min(SEARCH_RESULT_CAP, ...observed);
    const status: SliceStatus = capped ? 'capped' : found.size >= expected ? 'done' : 'short';
    const finished: LedgerEntry = {
      ...entry,
      status,
      reported_at_fetch: observed[observed.length - 1] ?? null,
      fetched_count: found.size,
      pages,
      attempts,
      finished_at: now().toISOString(),
      ...(capped
        ? { note: 'single day and star count still over the cap: only the first 1,000 are reachable' }
        : {}),
    };
    const discoveredAt = rowTimestamp(now());
    const sliceHits = [...found.values()].map((repo) => ({ key: slice.key, discoveredAt, repo }));
    await checkpoint.recordSlice(finished, sliceHits, stats.snapshot());
    hits.push(...sliceHits);
    counters.get(slice.ref.stratum)!.repos += sliceHits.length;
    if (status !== 'done')
      logger.warn({ slice: slice.query, status, expected, fetched: found.size }, 'slice incomplete');
    return [];
  }

  // A tiny work pool: one loop per token, each taking the next slice; slices that split add
  // their halves to the queue. The run is over when the queue is empty and nobody is busy.
  let busy = 0;
  let wake: Array<() => void> = [];
  /** Runs of a slice that ended in an error, so a failed slice is tried again a bounded number of times. */
  const sliceFailures = new Map<string, number>();
  const notify = () => {
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
  };

  async function worker(client: GitHubSearchClient): Promise<void> {
    for (;;) {
      if (fatal) return;
      const task = queue.shift();
      const slice = task?.slice;
      if (!task || !slice) {
        if (busy === 0) {
          notify();
          return;
        }
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      busy++;
      try {
        const children = await runSlice(client, task);
        const c = counters.get(slice.ref.stratum)!;
        c.known += children.length;
        c.done++; // a split slice is settled too: its halves are new slices
        queue.unshift(...children);
        report(slice.ref.stratum);
      } catch (err) {
        if (isFatal(err)) {
          fatal = new FatalGitHubError(`GitHub rejected ${client.label}: ${(err as Error).message}`);
        } else {
          const reason = (err as Error).message;
          const tries = (sliceFailures.get(slice.key) ?? 0) + 1;
          sliceFailures.set(slice.key, tries);
          if (tries < MAX_SLICE_RUNS) {
            // The request gave up after its own retries (a long rate-limit streak, resets):
            // the slice goes to the back of the queue instead of losing its repositories.
            logger.warn(
              { slice: slice.query, token: client.label, reason, tries },
              'slice failed: queued again',
            );
            queue.push(task);
          } else {
            failures[slice.key] = reason;
            logger.error({ slice: slice.query, token: client.label, reason }, 'slice failed after retries');
            await checkpoint.recordFailure(slice.key, reason, stats.snapshot());
          }
        }
      } finally {
        busy--;
        notify();
      }
    }
  }

  await Promise.all(options.clients.map((client) => worker(client)));
  if (fatal) throw fatal;
  return { hits, failures, malformedNodes };
}

function isFatal(err: unknown): boolean {
  return (err as { status?: unknown } | null)?.status === 401;
}

function entryFor(slice: Slice, status: SliceStatus, at: Date): LedgerEntry {
  return {
    key: slice.key,
    stratum: slice.ref.stratum,
    query_index: slice.ref.queryIndex,
    query: slice.ref.text,
    slice_query: slice.query,
    created_range: slice.created ? formatDayRange(slice.created) : null,
    stars_range: slice.stars ? formatStarRange(slice.stars) : null,
    depth: slice.depth,
    reported_count: null,
    reported_at_fetch: null,
    fetched_count: 0,
    pages: 0,
    attempts: 0,
    incomplete_probes: 0,
    status,
    finished_at: at.toISOString(),
  };
}
