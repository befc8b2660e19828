import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every line of the writer's result files (scan_results.jsonl, then quarantine.jsonl) in a data directory. */
export function resultLines(dataDir: string): string[] {
  const out: string[] = [];
  for (const f of ['scan_results.jsonl', 'quarantine.jsonl']) {
    const p = path.join(dataDir, f);
    if (existsSync(p)) out.push(...readFileSync(p, 'utf8').split('\n').filter(Boolean));
  }
  return out;
}

/** The rows of one JSONL file of a data directory, parsed (none when it does not exist). */
export function jsonlRows(dataDir: string, file = 'scan_results.jsonl'): any[] {
  const p = path.join(dataDir, file);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The repositories with a row in the result files (quarantined ones by their ping's name), sorted. */
export function writtenNames(dataDir: string): string[] {
  // A line torn by a crash or a full disk is not a row (the next writer cuts it off).
  return resultLines(dataDir)
    .filter((l) => l.endsWith('}'))
    .map((l) => {
      const r = JSON.parse(l);
      return (r.repo_full_name ?? r.ping?.repo_full_name) as string;
    })
    .sort();
}

/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
