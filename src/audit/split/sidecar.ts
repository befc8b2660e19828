import { promises as fs } from 'node:fs';
import { fileExists } from '../../core/jsonl.js';
import { forEachLine } from '../line-reader.js';
import type { SplitName } from './assign.js';

export interface FrozenAssignments {
  /** repo_full_name → split, in the order of the sidecar file. */
  splits: Map<string, SplitName>;
  /** Lines that could not be read (reported, never silently used). */
  problems: Array<{ line: number; error: string }>;
}

/** Reads split_assignment.jsonl when it exists: the frozen repo → split decisions of earlier runs. */
export async function readSidecar(file: string): Promise<FrozenAssignments> {
  const splits = new Map<string, SplitName>();
  const problems: FrozenAssignments['problems'] = [];
  if (!(await fileExists(file))) return { splits, problems };
  await forEachLine(file, (raw, line) => {
    let v: { repo_full_name?: unknown; split?: unknown };
    try {
      v = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, error: `invalid JSON: ${(err as Error).message}` });
      return;
    }
    if (typeof v.repo_full_name !== 'string' || (v.split !== 'train' && v.split !== 'test')) {
      problems.push({ line, error: 'needs repo_full_name and split ("train" or "test")' });
      return;
    }
    if (!splits.has(v.repo_full_name)) splits.set(v.repo_full_name, v.split);
  });
  return { splits, problems };
}

/**
 * Writes the sidecar: every earlier assignment first (kept even when its repository left the
 * results, so a later run cannot move it), then the new ones; temp file + rename.
 */
export async function writeSidecar(
  file: string,
  frozen: ReadonlyMap<string, SplitName>,
  current: Iterable<{ repo: string; split: SplitName; stratum: string; group: string }>,
): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    let buf: string[] = [];
    const flush = async () => {
      if (buf.length) await handle.write(buf.join(''));
      buf = [];
    };
    const written = new Set<string>();
    const byRepo = new Map<string, { split: SplitName; stratum: string; group: string }>();
    for (const c of current) byRepo.set(c.repo, c);
    for (const [repo, split] of frozen) {
      const c = byRepo.get(repo);
      buf.push(
        `${JSON.stringify(c ? { repo_full_name: repo, split, stratum: c.stratum, group: c.group } : { repo_full_name: repo, split })}\n`,
      );
      written.add(repo);
      if (buf.length >= 5000) await flush();
    }
    for (const [repo, c] of byRepo) {
      if (written.has(repo)) continue;
      buf.push(
        `${JSON.stringify({ repo_full_name: repo, split: c.split, stratum: c.stratum, group: c.group })}\n`,
      );
      if (buf.length >= 5000) await flush();
    }
    await flush();
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}
