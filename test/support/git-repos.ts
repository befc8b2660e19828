import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Real git repositories for tests and benchmarks: a working tree is built, committed, and
 * published as a bare repository `<root>/<owner>/<name>.git` that the loopback git server and
 * `file://` URLs serve. Partial clone is enabled on each (GitHub allows it; git's local
 * upload-pack refuses filters unless `uploadpack.allowFilter` is set).
 */
export interface RepoSpec {
  /** Relative path → content. */
  files?: Record<string, string | Buffer>;
  /** Relative path → link target (committed as a symlink). */
  symlinks?: Record<string, string>;
  /** Submodule gitlinks (never fetched by a hardened clone). */
  submodules?: Array<{ path: string; url: string }>;
  /** Author/commit message. */
  message?: string;
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export class GitRepoFactory {
  readonly root: string;
  private readonly scratch: string;

  constructor(root?: string) {
    this.root = root ?? mkdtempSync(path.join(os.tmpdir(), 'stratum-git-'));
    this.scratch = mkdtempSync(path.join(os.tmpdir(), 'stratum-gitwork-'));
  }

  /** Bare repository path of `owner/name` (whether or not it exists). */
  barePath(fullName: string): string {
    return path.join(this.root, `${fullName}.git`);
  }

  fileUrl(fullName: string): string {
    return pathToFileURL(this.barePath(fullName)).href;
  }

  /** Creates `owner/name` with the given content; returns the bare repository path. */
  create(fullName: string, spec: RepoSpec = {}): string {
    const work = path.join(this.scratch, fullName.replace('/', '__'));
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    git(['init', '-q', '-b', 'main', work]);
    for (const [rel, content] of Object.entries(spec.files ?? { 'README.md': '# empty\n' })) {
      const p = path.join(work, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    for (const [rel, target] of Object.entries(spec.symlinks ?? {})) {
      const p = path.join(work, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      symlinkSync(target, p);
    }
    git(['add', '-A'], work);
    for (const sm of spec.submodules ?? []) {
      const modules = `[submodule "${sm.path}"]\n\tpath = ${sm.path}\n\turl = ${sm.url}\n`;
      writeFileSync(path.join(work, '.gitmodules'), modules, { flag: 'a' });
      git(['add', '.gitmodules'], work);
      // A gitlink to a commit id that only exists in the other repository.
      git(['update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},${sm.path}`], work);
    }
    git(['commit', '-q', '--allow-empty', '-m', spec.message ?? 'initial'], work);
    const bare = this.barePath(fullName);
    rmSync(bare, { recursive: true, force: true });
    mkdirSync(path.dirname(bare), { recursive: true });
    git(['clone', '-q', '--bare', work, bare]);
    this.enableServing(bare);
    rmSync(work, { recursive: true, force: true });
    return bare;
  }

  /** The commit the default branch of `owner/name` points to. */
  head(fullName: string): string {
    return git(['rev-parse', 'HEAD'], this.barePath(fullName)).trim();
  }

  /**
   * A new commit on the default branch (files added or replaced), as a push after discovery
   * would make it. With `force`, the commit replaces the branch head instead of following it
   * (a force-push), and the old commits are then pruned from the served repository (gc), so a
   * commit frozen before is gone for good. Returns the new head.
   */
  push(fullName: string, files: Record<string, string>, options: { force?: boolean } = {}): string {
    const bare = this.barePath(fullName);
    const work = path.join(this.scratch, `${fullName.replace('/', '__')}-push`);
    rmSync(work, { recursive: true, force: true });
    git(['clone', '-q', bare, work]);
    if (options.force) git(['checkout', '-q', '--orphan', 'rewritten'], work);
    for (const [rel, content] of Object.entries(files)) {
      const p = path.join(work, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    git(['add', '-A'], work);
    git(['commit', '-q', '-m', options.force ? 'rewritten history' : 'later work'], work);
    git(['push', '-q', '--force', 'origin', 'HEAD:main'], work);
    rmSync(work, { recursive: true, force: true });
    if (options.force) {
      git(['reflog', 'expire', '--expire=now', '--all'], bare);
      git(['gc', '-q', '--prune=now'], bare);
    }
    return this.head(fullName);
  }

  /** Whether the served repository still holds an object. */
  hasObject(fullName: string, sha: string): boolean {
    try {
      git(['cat-file', '-e', sha], this.barePath(fullName));
      return true;
    } catch {
      return false;
    }
  }

  /** A copy of an existing bare repository under another name (fast bulk creation). */
  copy(fromFullName: string, toFullName: string): string {
    const to = this.barePath(toFullName);
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(this.barePath(fromFullName), to, { recursive: true });
    return to;
  }

  private enableServing(bare: string): void {
    git(['config', 'uploadpack.allowFilter', 'true'], bare);
    git(['config', 'uploadpack.allowAnySHA1InWant', 'true'], bare);
    git(['config', 'http.receivepack', 'false'], bare);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** A manifest row for a test repository (every field the schema requires). */
export function manifestRow(
  fullName: string,
  url: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const [owner] = fullName.split('/');
  return {
    repo_full_name: fullName,
    repo_url: url,
    repo_hash: Buffer.from(fullName).toString('hex').slice(0, 16).padEnd(16, '0'),
    org: owner || 'x',
    github_stars: 10,
    github_forks: 1,
    github_size_kb: 12,
    last_commit_date: '2026-01-01T00:00:00Z',
    repo_created_date: '2025-01-01T00:00:00Z',
    is_fork: false,
    fork_parent: null,
    license: null,
    github_topics: [],
    primary_language: 'Python',
    language_bytes: { Python: 100 },
    default_branch: 'main',
    head_sha: null,
    is_archived: false,
    discovery_query: 'test',
    selection_stratum: 'test_stratum',
    matched_strata: ['test_stratum'],
    discovered_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

export function writeManifest(file: string, rows: Array<Record<string, unknown> | string>): void {
  writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
}
