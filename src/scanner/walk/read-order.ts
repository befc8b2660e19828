import { closeSync, openSync, readSync } from 'node:fs';
import { FRAMEWORK_DETECTORS } from '../frameworks/registry.js';
import { isTestPath } from './file-kinds.js';
import type { WalkedFile } from './walk-files.js';

/** Bytes of a Python file looked at for a framework import when choosing what to read. */
const PEEK_BYTES = 16 * 1024;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `import crewai` / `from langchain_openai import …` of any framework's module, at a line start. */
const FRAMEWORK_IMPORT = new RegExp(
  `^[ \\t]*(?:from|import)[ \\t]+(?:${[
    ...new Set(
      FRAMEWORK_DETECTORS.flatMap((d) => d.modules).map((m) =>
        m.endsWith('*') ? `${escapeRegExp(m.slice(0, -1))}\\w*` : escapeRegExp(m),
      ),
    ),
  ].join('|')})\\b`,
  'm',
);

function peek(abs: string | Buffer): string {
  let fd: number | undefined;
  try {
    fd = openSync(abs, 'r');
    const buf = Buffer.alloc(PEEK_BYTES);
    const n = readSync(fd, buf, 0, PEEK_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reading rank when not every candidate can be read: configuration first (small, and CrewAI's
 * agents/tasks live there), then sources that import a framework, other sources, tests last.
 */
function rank(file: WalkedFile): number {
  if (file.kind !== 'python' && file.kind !== 'notebook') return 0;
  if (isTestPath(file.rel)) return 3;
  return FRAMEWORK_IMPORT.test(peek(file.abs)) ? 1 : 2;
}

export interface ReadSelection {
  /** The files to read, in walk order. */
  chosen: WalkedFile[];
  /** Candidates left unread because of the file budget. */
  dropped: number;
  /** Python sources (files or notebooks) among the dropped ones. */
  droppedSources: number;
}

/**
 * At most `maxFiles` candidates, the likeliest to hold agent code first. Under the budget every
 * candidate is read and nothing is peeked at. The chosen files keep their walk order, so the
 * facts come in the same order as a scan that read everything.
 */
export function chooseFilesToRead(files: readonly WalkedFile[], maxFiles: number): ReadSelection {
  if (files.length <= maxFiles) return { chosen: [...files], dropped: 0, droppedSources: 0 };
  const ranked = files.map((file, index) => ({ file, index, rank: rank(file) }));
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  const keep = ranked.slice(0, maxFiles).sort((a, b) => a.index - b.index);
  const dropped = ranked.slice(maxFiles);
  return {
    chosen: keep.map((x) => x.file),
    dropped: dropped.length,
    droppedSources: dropped.filter((x) => x.file.kind === 'python' || x.file.kind === 'notebook').length,
  };
}
