import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { fileExists, JsonlAppender, readJsonl } from '../../core/jsonl.js';
import type { ApiStatsSnapshot } from './api-stats.js';
import type { DiscoveredRepo } from './repository.js';

/**
 * Durable progress of a discovery run, so `--resume` after any kill (even `kill -9`) repeats
 * no finished slice and loses no repository found before it:
 *  - `<checkpoint>.found.jsonl`: one line per repository of each finished slice, appended
 *    and fsynced *before* the slice is marked finished;
 *  - `<checkpoint>` (JSON, atomically replaced after each slice): the run's identity and the
 *    slice ledger. A found line counts only when the ledger marks its slice (and the same
 *    fetch generation) finished, so lines of a slice cut short by a kill are ignored.
 */
export type SliceStatus = 'split' | 'done' | 'short' | 'capped' | 'subsumed';

export interface LedgerEntry {
  key: string;
  stratum: string;
  query_index: number;
  /** The query as written in the strata file. */
  query: string;
  /** The search string of this slice. */
  slice_query: string;
  created_range: string | null;
  stars_range: string | null;
  depth: number;
  /** total_count of the probe (null when the slice was never probed, e.g. subsumed). */
  reported_count: number | null;
  /** repositoryCount seen while fetching (counts move between calls). */
  reported_at_fetch: number | null;
  fetched_count: number;
  pages: number;
  attempts: number;
  incomplete_probes: number;
  status: SliceStatus;
  note?: string;
  generation?: string;
  finished_at: string;
}

export interface CheckpointState {
  version: 1;
  run_id: string;
  started_at: string;
  /** Last creation day searched: fixed at the start so a resumed run slices identically. */
  until_day: string;
  strata_file: string;
  strata_sha256: string;
  stratum_filter: string | null;
  include_archived: boolean;
  ledger: Record<string, LedgerEntry>;
  api: ApiStatsSnapshot | undefined;
  /** Slices that failed after all retries, by key (the run stops; resume retries them). */
  failed: Record<string, string>;
}

export interface FoundHit {
  key: string;
  discoveredAt: string;
  repo: DiscoveredRepo;
}

interface FoundLine {
  k: string;
  g: string;
  t: string;
  r: DiscoveredRepo;
}

export function foundLogFile(checkpointFile: string): string {
  return `${checkpointFile}.found.jsonl`;
}

export class Checkpoint {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    readonly state: CheckpointState,
    private readonly found: JsonlAppender,
  ) {}

  static async exists(file: string): Promise<boolean> {
    return fileExists(file);
  }

  static async start(file: string, state: CheckpointState): Promise<Checkpoint> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.rm(foundLogFile(file), { force: true });
    const found = await JsonlAppender.open(foundLogFile(file));
    const checkpoint = new Checkpoint(file, state, found);
    await writeJsonAtomic(file, state);
    return checkpoint;
  }

  static async resume(file: string): Promise<Checkpoint> {
    const state = JSON.parse(await fs.readFile(file, 'utf8')) as CheckpointState;
    if (state.version !== 1 || typeof state.ledger !== 'object')
      throw new Error(`${file}: not a discovery checkpoint`);
    state.failed = {};
    const found = await JsonlAppender.open(foundLogFile(file));
    return new Checkpoint(file, state, found);
  }

  static newGeneration(): string {
    return randomBytes(6).toString('hex');
  }

  /** Found lines of finished slices (torn or unfinished ones are skipped). */
  async loadHits(): Promise<FoundHit[]> {
    const hits: FoundHit[] = [];
    for await (const line of readJsonl(foundLogFile(this.file))) {
      if (!line.ok) continue;
      const found = line.value as FoundLine;
      const entry = this.state.ledger[found.k];
      if (!entry || entry.generation !== found.g) continue;
      hits.push({ key: found.k, discoveredAt: found.t, repo: found.r });
    }
    return hits;
  }

  /** Makes a finished slice durable: its repositories first, then its ledger entry. */
  recordSlice(entry: LedgerEntry, hits: readonly FoundHit[], api: ApiStatsSnapshot): Promise<void> {
    return this.serial(async () => {
      const generation = Checkpoint.newGeneration();
      await this.found.append(
        hits.map((h) => ({ k: entry.key, g: generation, t: h.discoveredAt, r: h.repo })),
      );
      this.state.ledger[entry.key] = { ...entry, generation };
      this.state.api = api;
      await writeJsonAtomic(this.file, this.state);
    });
  }

  recordEntry(entry: LedgerEntry, api: ApiStatsSnapshot): Promise<void> {
    return this.serial(async () => {
      this.state.ledger[entry.key] = entry;
      this.state.api = api;
      await writeJsonAtomic(this.file, this.state);
    });
  }

  recordFailure(key: string, reason: string, api: ApiStatsSnapshot): Promise<void> {
    return this.serial(async () => {
      this.state.failed[key] = reason;
      this.state.api = api;
      await writeJsonAtomic(this.file, this.state);
    });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.found.close();
  }

  /** Removes the checkpoint once the manifest is frozen. */
  async remove(): Promise<void> {
    await this.close();
    await fs.rm(foundLogFile(this.file), { force: true });
    await fs.rm(this.file, { force: true });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
