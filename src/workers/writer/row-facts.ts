import type { Ping, QuarantineRecord } from '../../core/contract/index.js';
import { factsFromPing, type ResultFacts } from '../../core/run-counters.js';

/** What one written row contributes to the Redis counters. */
export function factsOfRow(
  file: 'results' | 'quarantine',
  row: Ping | QuarantineRecord,
  finishedAt = Date.now(),
): ResultFacts {
  if (file === 'results') return factsFromPing(row as Ping, finishedAt);
  const q = row as QuarantineRecord;
  const ping = (typeof q.ping === 'object' && q.ping !== null ? q.ping : {}) as Record<string, unknown>;
  const first = q.validation_errors[0];
  return {
    repoFullName: q.repo_full_name,
    status: 'quarantined',
    failureReason: null,
    frameworks: [],
    riskScore: null,
    durationMs: typeof ping.scan_duration_ms === 'number' ? ping.scan_duration_ms : 0,
    errorDetail: `${q.validation_errors.length} contract error(s)${first ? `, first: ${first.pointer}: ${first.message}` : ''}`,
    finishedAt,
  };
}
