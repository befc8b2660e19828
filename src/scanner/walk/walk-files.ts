import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';
import { type FileKind, fileKind, isSkippedDir } from './file-kinds.js';

export interface WalkedFile {
  /** Repository-relative path with `/` separators (lossy for a name that is not UTF-8). */
  rel: string;
  /** The path to open: bytes when a name on the way is not valid UTF-8, so it stays readable. */
  abs: string | Buffer;
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
  // Stack of directories; children are pushed in reverse so pops stay sorted.
  const stack: Dir[] = [{ rel: '', abs: root }];
  while (stack.length > 0) {
    const dir = stack.pop() as Dir;
    const relDir = dir.rel;
    if (Date.now() > limits.deadline) {
      result.budgetHit = 'time';
      break;
    }
    let listed: Dirent<Buffer>[];
    try {
      // Names as bytes: a name that is not UTF-8 decoded as text would no longer open.
      listed = readdirSync(dir.abs, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      result.unreadableDirs++;
      continue;
    }
    const dirents = listed.map((d) => ({ d, name: d.name.toString('utf8') }));
    if (relDir !== '' && dirents.some((x) => x.name === 'pyvenv.cfg')) {
      // A virtualenv under any name.
      result.dirsSkipped++;
      continue;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: Dir[] = [];
    for (const { d, name } of dirents) {
      entries++;
      if (entries > limits.maxEntries) {
        result.budgetHit = 'max_entries';
        return result;
      }
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = childPath(dir.abs, d.name, name);
      if (d.isSymbolicLink()) {
        result.symlinksSkipped++;
        continue;
      }
      if (d.isDirectory()) {
        if (isSkippedDir(name)) result.dirsSkipped++;
        else subdirs.push({ rel, abs });
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
      result.files.push({ rel, abs, kind });
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as Dir);
  }
  return result;
}

interface Dir {
  rel: string;
  abs: string | Buffer;
}

/** The child's path as text when its name decoded without loss, else as bytes. */
function childPath(parent: string | Buffer, raw: Buffer, decoded: string): string | Buffer {
  const lossless = !decoded.includes('\uFFFD') || Buffer.from(decoded, 'utf8').equals(raw);
  if (lossless && typeof parent === 'string') return path.join(parent, decoded);
  return Buffer.concat([typeof parent === 'string' ? Buffer.from(parent, 'utf8') : parent, SLASH, raw]);
}

const SLASH = Buffer.from('/');
