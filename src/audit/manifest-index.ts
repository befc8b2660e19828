import { acceptManifestRecord } from '../core/contract/index.js';
import { sha256File } from '../core/file-hash.js';
import { Counter, GrowableInt32 } from './counts.js';
import { forEachLine } from './line-reader.js';
import { NameTable } from './name-table.js';

/** What the audit needs from the manifest: per repository a stratum and fork family, plus totals. */
export interface ManifestIndex {
  file: string;
  sha256: string;
  rows: number;
  invalidRows: Array<{ line: number; error: string }>;
  invalidCount: number;
  duplicateRows: number;
  /** The manifest's repositories with their fork parents. */
  repos: ManifestRepos;
  strata: Counter;
  forks: number;
  pythonBytes: number;
  totalBytes: number;
  pythonPrimary: number;
  noPython: number;
  /** Rows without language_bytes (the reference's manifests): left out of the byte figures. */
  languageBytesUnknown: number;
  /** Rows whose repo_hash was derived (null or absent in the manifest). */
  repoHashDerived: number;
}

const MAX_LISTED = 50;

/**
 * The manifest's repositories and their fork parents, off the V8 heap (one `NameTable` for
 * every name, listed repositories and parents alike, and a few numbers per name).
 */
export class ManifestRepos {
  private readonly names = new NameTable();
  /** Per name: 1 when it is a manifest row. */
  private readonly listed = new GrowableInt32(1024, 0);
  /** Per name: the id of its fork parent, -1 when none. */
  private readonly parentOf = new GrowableInt32(1024, -1);
  /** Per name: 1 when it is the fork_parent of some manifest row. */
  private readonly parent = new GrowableInt32(1024, 0);
  /** Distinct fork parents (fork families). */
  families = 0;

  /** Adds a manifest row; false when the repository is already listed. */
  add(repo: string, forkParent: string | null): boolean {
    const id = this.names.add(repo);
    if (this.listed.get(id)) return false;
    this.listed.set(id, 1);
    if (forkParent) {
      const p = this.names.add(forkParent);
      this.parentOf.set(id, p);
      if (!this.parent.get(p)) {
        this.parent.set(p, 1);
        this.families++;
      }
    }
    return true;
  }

  has(repo: string): boolean {
    const id = this.names.find(repo);
    return id >= 0 && this.listed.get(id) === 1;
  }

  /** The fork parent of a listed repository (null when it is not a fork; undefined when not listed). */
  forkParent(repo: string): string | null | undefined {
    const id = this.names.find(repo);
    if (id < 0 || !this.listed.get(id)) return undefined;
    const p = this.parentOf.get(id);
    return p < 0 ? null : this.names.name(p);
  }

  /** True when `repo` is the fork_parent of some manifest row. */
  isForkParent(repo: string): boolean {
    const id = this.names.find(repo);
    return id >= 0 && this.parent.get(id) === 1;
  }

  /** Every listed repository, in manifest order. */
  *listedRepos(): Generator<string> {
    for (let id = 0; id < this.names.size; id++) if (this.listed.get(id)) yield this.names.name(id);
  }
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
    repos: new ManifestRepos(),
    strata: new Counter(),
    forks: 0,
    pythonBytes: 0,
    totalBytes: 0,
    pythonPrimary: 0,
    noPython: 0,
    languageBytesUnknown: 0,
    repoHashDerived: 0,
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
    const v = acceptManifestRecord(value);
    if (!v.ok) {
      invalid(line, v.errors.map((e) => `${e.pointer}: ${e.message}`).join('; '));
      return;
    }
    const rec = v.record;
    if (!index.repos.add(rec.repo_full_name, rec.fork_parent)) {
      index.duplicateRows++;
      return;
    }
    index.rows++;
    if (rec.fork_parent) index.forks++;
    index.strata.add(rec.selection_stratum);
    if (v.fill.repoHashDerived) index.repoHashDerived++;
    if (rec.primary_language === 'Python') index.pythonPrimary++;
    if (rec.language_bytes === null) {
      index.languageBytesUnknown++;
      return;
    }
    let total = 0;
    for (const b of Object.values(rec.language_bytes)) total += b;
    const py = rec.language_bytes.Python ?? 0;
    index.totalBytes += total;
    index.pythonBytes += py;
    if (py === 0) index.noPython++;
  });
  return index;
}
