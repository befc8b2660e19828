import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { validateManifestRecord } from '../core/contract/index.js';
import { Counter } from './counts.js';
import { forEachLine } from './line-reader.js';

/** What the audit needs from the manifest: per repository a stratum and fork family, plus totals. */
export interface ManifestIndex {
  file: string;
  sha256: string;
  rows: number;
  invalidRows: Array<{ line: number; error: string }>;
  invalidCount: number;
  duplicateRows: number;
  /** repo_full_name → fork_parent (null when not a fork). */
  forkParent: Map<string, string | null>;
  /** Repositories that are the fork_parent of some manifest row. */
  parents: Set<string>;
  strata: Counter;
  forks: number;
  pythonBytes: number;
  totalBytes: number;
  pythonPrimary: number;
  noPython: number;
}

const MAX_LISTED = 50;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads and validates the manifest in one streaming pass (memory bounded by its repositories). */
export async function readManifestIndex(file: string): Promise<ManifestIndex> {
  const index: ManifestIndex = {
    file,
    sha256: await sha256File(file),
    rows: 0,
    invalidRows: [],
    invalidCount: 0,
    duplicateRows: 0,
    forkParent: new Map(),
    parents: new Set(),
    strata: new Counter(),
    forks: 0,
    pythonBytes: 0,
    totalBytes: 0,
    pythonPrimary: 0,
    noPython: 0,
  };
  const invalid = (line: number, error: string) => {
    index.invalidCount++;
    if (index.invalidRows.length < MAX_LISTED) index.invalidRows.push({ line, error });
  };
  await forEachLine(file, (raw, line) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      invalid(line, `invalid JSON: ${(err as Error).message}`);
      return;
    }
    const v = validateManifestRecord(value);
    if (!v.ok) {
      invalid(line, v.errors.map((e) => `${e.pointer}: ${e.message}`).join('; '));
      return;
    }
    const rec = v.value;
    if (index.forkParent.has(rec.repo_full_name)) {
      index.duplicateRows++;
      return;
    }
    index.rows++;
    index.forkParent.set(rec.repo_full_name, rec.fork_parent);
    if (rec.fork_parent) {
      index.forks++;
      index.parents.add(rec.fork_parent);
    }
    index.strata.add(rec.selection_stratum);
    let total = 0;
    for (const b of Object.values(rec.language_bytes)) total += b;
    const py = rec.language_bytes.Python ?? 0;
    index.totalBytes += total;
    index.pythonBytes += py;
    if (rec.primary_language === 'Python') index.pythonPrimary++;
    if (py === 0) index.noPython++;
  });
  return index;
}
