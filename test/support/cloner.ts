import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { GitCloner, type GitClonerOptions } from '../../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS } from '../../src/workers/clone/sparse-patterns.js';

/** A cloner as the cloner tests use it: local URLs allowed, lean, a fast size watchdog. */
export function testCloner(o: Partial<GitClonerOptions> = {}): GitCloner {
  return new GitCloner({
    allowLocalUrls: true,
    timeoutMs: 20_000,
    lean: true,
    sparsePatterns: DEFAULT_SPARSE_PATTERNS,
    sizeCheckIntervalMs: 50,
    ...o,
  });
}

/** A fresh, empty job directory under `root`. */
export function newJobDir(root: string): string {
  const d = path.join(root, randomBytes(4).toString('hex'));
  mkdirSync(d);
  return d;
}
