import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AtomicFileSync } from '../../core/atomic-write.js';
import type { Ping, QuarantineRecord } from '../../core/contract/index.js';
import { fileExists, readJsonl } from '../../core/jsonl.js';
import { dataFile } from '../../core/paths.js';

/**
 * Rows that replace a repository's earlier row (a rescan, a retry) go first to a journal,
 * `scan_results.replacements.jsonl`, appended and fsynced before their job is acknowledged;
 * the journal is then merged into scan_results.jsonl and quarantine.jsonl: each file is
 * rewritten beside itself with the old row swapped for the new one (or dropped, when the
 * repository moved to the other file) and renamed over the original, and only after both
 * renames is the journal removed. Merging is idempotent (it works by repository, last journal
 * entry wins), so a crash at any step is repaired by merging again: no row is lost, none is
 * doubled. Until a merge, the result files show the old row (never both, never neither).
 */
export const REPLACEMENT_JOURNAL = 'scan_results.replacements.jsonl';

export type RowFile = 'results' | 'quarantine';

export interface Replacement {
  file: RowFile;
  row: Ping | QuarantineRecord;
}

export function journalPath(dataDir: string): string {
  return path.join(dataDir, REPLACEMENT_JOURNAL);
}

/** A stable id of one replacement row (its content), so applying it twice counts once. */
export function replacementToken(r: Replacement): string {
  return createHash('sha256').update(r.file).update(JSON.stringify(r.row)).digest('hex').slice(0, 32);
}

/** The journal's entries in order (torn or foreign lines skipped: they were never acknowledged). */
export async function* readJournal(dataDir: string): AsyncGenerator<Replacement> {
  const file = journalPath(dataDir);
  if (!(await fileExists(file))) return;
  for await (const line of readJsonl(file)) {
    if (!line.ok) continue;
    const v = line.value as { file?: unknown; row?: { repo_full_name?: unknown } };
    if ((v.file !== 'results' && v.file !== 'quarantine') || typeof v.row?.repo_full_name !== 'string')
      continue;
    yield v as Replacement;
  }
}

/** repo_full_name → its latest replacement. */
async function latestReplacements(dataDir: string): Promise<Map<string, Replacement>> {
  const latest = new Map<string, Replacement>();
  for await (const r of readJournal(dataDir)) latest.set(r.row.repo_full_name, r);
  return latest;
}

const NAME_FIELD = /"repo_full_name"\s*:\s*("(?:[^"\\]|\\.)*")/g;

/**
 * The row's repo_full_name when it is one of the replaced repositories. Most rows are not:
 * the cheap test (every `"repo_full_name":"…"` in the line, nested ones included, against the
 * map) skips parsing them; a hit is confirmed on the parsed row's top-level field.
 */
function replacedName(raw: string, latest: Map<string, Replacement>): string | undefined {
  let hit = false;
  for (const m of raw.matchAll(NAME_FIELD)) {
    try {
      if (latest.has(JSON.parse(m[1] as string) as string)) hit = true;
    } catch {
      // not a string literal after all: the parse below decides
    }
    if (hit) break;
  }
  if (!hit) return undefined;
  try {
    const name = (JSON.parse(raw) as { repo_full_name?: unknown })?.repo_full_name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** What one merge did. */
export interface MergeOutcome {
  /** Repositories whose row was replaced. */
  replaced: number;
  /** Old rows taken out (more than `replaced` when a file already held duplicates). */
  dropped: number;
}

/**
 * Merges the journal into the result files (see above). `afterFile` is a test hook called after
 * each file is renamed into place, to stop the merge there as a crash would.
 */
export async function mergeReplacements(
  dataDir: string,
  hooks: { afterFile?: (file: RowFile) => void } = {},
): Promise<MergeOutcome> {
  const latest = await latestReplacements(dataDir);
  if (latest.size === 0) {
    await fs.rm(journalPath(dataDir), { force: true });
    return { replaced: 0, dropped: 0 };
  }
  let dropped = 0;
  for (const [file, key] of [
    ['results', 'scanResults'],
    ['quarantine', 'quarantine'],
  ] as const) {
    dropped += await rewriteFile(dataFile(dataDir, key), file, latest);
    hooks.afterFile?.(file);
  }
  await fs.rm(journalPath(dataDir), { force: true });
  return { replaced: latest.size, dropped };
}

/**
 * One result file with the rows of replaced repositories swapped: the new row takes the old
 * one's place when it belongs to this file, else the old row is dropped; new rows with no old
 * row here are added at the end. Lines that are not rows of a replaced repository (including
 * unreadable ones, which the audit reports) are copied byte for byte.
 */
async function rewriteFile(target: string, kind: RowFile, latest: Map<string, Replacement>): Promise<number> {
  const out = new AtomicFileSync(target);
  const emitted = new Set<string>();
  let dropped = 0;
  let buffered: string[] = [];
  let bufferedBytes = 0;
  const write = (line: string) => {
    buffered.push(line);
    bufferedBytes += line.length + 1;
    if (bufferedBytes >= 1 << 20) flush();
  };
  const flush = () => {
    if (buffered.length) out.write(`${buffered.join('\n')}\n`);
    buffered = [];
    bufferedBytes = 0;
  };
  try {
    if (await fileExists(target)) {
      const rl = createInterface({
        input: createReadStream(target, { encoding: 'utf8' }),
        crlfDelay: Infinity,
      });
      for await (const raw of rl) {
        if (raw.trim() === '') continue;
        const name = replacedName(raw, latest);
        const replacement = name === undefined ? undefined : latest.get(name);
        if (name === undefined || !replacement) {
          write(raw);
          continue;
        }
        dropped++;
        if (replacement.file === kind && !emitted.has(name)) {
          write(JSON.stringify(replacement.row));
          emitted.add(name);
        }
      }
    }
    for (const [name, r] of latest) if (r.file === kind && !emitted.has(name)) write(JSON.stringify(r.row));
    flush();
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
  return dropped;
}
