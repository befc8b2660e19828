import type { Ping, QuarantineRecord } from '../core/contract/index.js';
import { fileExists, readJsonl } from '../core/jsonl.js';
import { dataFile } from '../core/paths.js';
import {
  accumulate,
  emptyCounters,
  factsFromPing,
  type ResultFacts,
  type RunCounters,
} from '../core/run-counters.js';

/**
 * The run counters rebuilt from the result files, for when Redis is not reachable.
 * O(rows): it streams scan_results.jsonl and quarantine.jsonl once; unreadable lines are
 * counted, never fatal.
 */
export interface JsonlCounters {
  counters: RunCounters;
  manifestCount: number | null;
  corruptLines: number;
  files: string[];
}

function instantOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function isPingLike(v: unknown): v is Ping {
  const p = v as Partial<Ping> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.repo_full_name === 'string' &&
    typeof p.scan_status === 'string' &&
    ['success', 'partial', 'empty', 'failed'].includes(p.scan_status)
  );
}

/** What a quarantine row contributes: counted as 'quarantined', its first error shown as detail. */
export function factsFromQuarantine(row: QuarantineRecord): ResultFacts {
  const ping = (typeof row.ping === 'object' && row.ping !== null ? row.ping : {}) as Record<string, unknown>;
  const frameworks = Array.isArray(ping.frameworks)
    ? ping.frameworks.filter((f): f is string => typeof f === 'string')
    : [];
  const duration = typeof ping.scan_duration_ms === 'number' ? ping.scan_duration_ms : 0;
  const first = row.validation_errors[0];
  return {
    repoFullName: row.repo_full_name,
    status: 'quarantined',
    failureReason: null,
    frameworks,
    riskScore: null,
    durationMs: duration,
    errorDetail: first ? `${first.pointer}: ${first.message}` : 'quarantined',
    finishedAt: instantOf(row.quarantined_at) ?? 0,
  };
}

function isQuarantineRow(v: unknown): v is QuarantineRecord {
  const q = v as Partial<QuarantineRecord> | null;
  return (
    typeof q === 'object' &&
    q !== null &&
    typeof q.repo_full_name === 'string' &&
    Array.isArray(q.validation_errors)
  );
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of readJsonl(file)) if (line.ok) n++;
  return n;
}

/** `accumulate`, but the last error stays the latest in time across the two files. */
function add(counters: RunCounters, facts: ResultFacts): void {
  const previous = counters.lastError;
  accumulate(counters, facts);
  if (previous && counters.lastError && counters.lastError.at < previous.at) counters.lastError = previous;
}

export async function readJsonlCounters(dataDir: string): Promise<JsonlCounters> {
  const counters = emptyCounters();
  let corruptLines = 0;
  const files: string[] = [];
  const results = dataFile(dataDir, 'scanResults');
  if (await fileExists(results)) {
    files.push(results);
    for await (const line of readJsonl(results)) {
      if (!line.ok || !isPingLike(line.value)) {
        corruptLines++;
        continue;
      }
      const ping = line.value;
      add(counters, factsFromPing(ping, instantOf(ping.timestamp) ?? 0));
    }
  }
  const quarantine = dataFile(dataDir, 'quarantine');
  if (await fileExists(quarantine)) {
    files.push(quarantine);
    for await (const line of readJsonl(quarantine)) {
      if (!line.ok || !isQuarantineRow(line.value)) {
        corruptLines++;
        continue;
      }
      add(counters, factsFromQuarantine(line.value));
    }
  }
  const manifest = dataFile(dataDir, 'manifest');
  const manifestCount = (await fileExists(manifest)) ? await countLines(manifest) : null;
  return { counters, manifestCount, corruptLines, files };
}
