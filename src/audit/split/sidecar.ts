import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../../core/atomic-write.js';
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

export interface CurrentAssignment {
  split: SplitName;
  stratum: string;
  group: string;
}

/**
 * Writes the sidecar: every earlier assignment first (kept even when its repository left the
 * results, so a later run cannot move it), then the new ones in file order; temp file +
 * rename + fsync of the directory. `current(repo)` looks a repository of this run up; `order` lists this run's
 * repositories. Nothing per repository is materialised besides the lines being written.
 */
export async function writeSidecar(
  file: string,
  frozen: ReadonlyMap<string, SplitName>,
  order: Iterable<string>,
  current: (repo: string) => CurrentAssignment | undefined,
): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    let buf: string[] = [];
    const push = async (line: object) => {
      buf.push(`${JSON.stringify(line)}\n`);
      if (buf.length >= 5000) {
        await handle.write(buf.join(''));
        buf = [];
      }
    };
    for (const [repo, split] of frozen) {
      const c = current(repo);
      await push(
        c
          ? { repo_full_name: repo, split, stratum: c.stratum, group: c.group }
          : { repo_full_name: repo, split },
      );
    }
    for (const repo of order) {
      if (frozen.has(repo)) continue;
      const c = current(repo);
      if (c) await push({ repo_full_name: repo, split: c.split, stratum: c.stratum, group: c.group });
    }
    if (buf.length) await handle.write(buf.join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}
