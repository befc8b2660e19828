import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';
import { type FileKind, fileKind, isSkippedDir } from './file-kinds.js';

export interface WalkedFile {
  /** Repository-relative path with `/` separators. */
  rel: string;
  abs: string;
  kind: FileKind;
}

export interface WalkResult {
  /** Candidate files in a stable (sorted, depth-first) order. */
  files: WalkedFile[];
  /** Every other regular file path seen, for presence signals (lockfiles, CI, tests). */
  otherPaths: string[];
  symlinksSkipped: number;
  dirsSkipped: number;
  /** Why the walk ended early, if it did. */
  budgetHit: 'max_files' | 'max_entries' | 'time' | null;
  /** Directories that could not be listed (permissions, vanished). */
  unreadableDirs: number;
}

export interface WalkLimits {
  maxFiles: number;
  maxEntries: number;
  deadline: number;
}

/**
 * Lists a repository without following symbolic links (a link to `/` or a loop is never
 * entered) and without entering skipped directories (VCS, virtualenvs, dependencies, build
 * output). Iterative, so a deep tree cannot overflow the stack; bounded by entry and file
 * counts and by the deadline.
 */
export function walkRepository(root: string, limits: WalkLimits): WalkResult {
  const result: WalkResult = {
    files: [],
    otherPaths: [],
    symlinksSkipped: 0,
    dirsSkipped: 0,
    budgetHit: null,
    unreadableDirs: 0,
  };
  let entries = 0;
  // Stack of relative directory paths; children are pushed in reverse so pops stay sorted.
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop() as string;
    if (Date.now() > limits.deadline) {
      result.budgetHit = 'time';
      break;
    }
    let dirents: Dirent[];
    try {
      dirents = readdirSync(path.join(root, relDir), { withFileTypes: true });
    } catch {
      result.unreadableDirs++;
      continue;
    }
    if (relDir !== '' && dirents.some((d) => d.name === 'pyvenv.cfg')) {
      // A virtualenv under any name.
      result.dirsSkipped++;
      continue;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const d of dirents) {
      entries++;
      if (entries > limits.maxEntries) {
        result.budgetHit = 'max_entries';
        return result;
      }
      const rel = relDir === '' ? d.name : `${relDir}/${d.name}`;
      if (d.isSymbolicLink()) {
        result.symlinksSkipped++;
        continue;
      }
      if (d.isDirectory()) {
        if (isSkippedDir(d.name)) result.dirsSkipped++;
        else subdirs.push(rel);
        continue;
      }
      if (!d.isFile()) continue;
      const kind = fileKind(rel);
      if (kind === null) {
        result.otherPaths.push(rel);
        continue;
      }
      if (result.files.length >= limits.maxFiles) {
        result.budgetHit = 'max_files';
        return result;
      }
      result.files.push({ rel, abs: path.join(root, rel), kind });
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as string);
  }
  return result;
}
