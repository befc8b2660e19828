import type { Ping, QuarantineRecord } from '../../core/contract/index.js';
import { fileExists, readJsonl } from '../../core/jsonl.js';
import { dataFile } from '../../core/paths.js';

export interface WrittenRow {
  file: 'results' | 'quarantine';
  line: number;
  value: Ping | QuarantineRecord;
}

/**
 * Every row already in scan_results.jsonl and quarantine.jsonl, streamed. The files are the
 * source of truth of what was written (Redis may have been wiped); unreadable lines are
 * skipped here and reported by the audit.
 */
export async function* readWrittenRows(dataDir: string): AsyncGenerator<WrittenRow> {
  for (const [file, key] of [
    ['results', 'scanResults'],
    ['quarantine', 'quarantine'],
  ] as const) {
    const p = dataFile(dataDir, key);
    if (!(await fileExists(p))) continue;
    for await (const line of readJsonl(p)) {
      // Stryker disable next-line ConditionalExpression: an unreadable line has no value, so the name check below skips it too
      if (!line.ok) continue;
      const v = line.value as { repo_full_name?: unknown };
      if (typeof v?.repo_full_name !== 'string') continue;
      yield { file, line: line.line, value: line.value as Ping | QuarantineRecord };
    }
  }
}

/** The repositories that already have their row. */
export async function writtenRepoNames(dataDir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const row of readWrittenRows(dataDir)) names.add(row.value.repo_full_name);
  return names;
}
