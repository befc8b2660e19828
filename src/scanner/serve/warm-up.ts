import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanDirectory } from '../scan.js';
import { warmUpCorpus } from './warm-up-corpus.js';

/** What a server's warm-up did, in its ready message. */
export interface WarmUpReport {
  passes: number;
  ms: number;
  /** Why the warm-up stopped early; the server serves all the same. */
  error?: string;
}

/**
 * Scans of the corpus at most (one takes ≈ 60 ms once warm): measured on the bench repositories,
 * 8 passes took the first real repository from 280–400 ms to ≈ 110 ms, 32 passes to ≈ 90 ms.
 */
const MAX_PASSES = 24;
/** The default budget: a worker pays it once per process, off the path of any repository. */
export const DEFAULT_WARM_UP_MS = 2000;

/**
 * Scans the synthetic warm-up repository until `budgetMs` has passed (at least once when the
 * budget is positive, at most `MAX_PASSES` times), then removes it. The scanner keeps no state
 * between scans, so the pings that follow are the same as a fresh process's (tested on every
 * fixture); only the JIT has changed.
 */
export async function warmUp(budgetMs: number): Promise<WarmUpReport> {
  const started = performance.now();
  if (budgetMs <= 0) return { passes: 0, ms: 0 };
  let dir: string | null = null;
  let passes = 0;
  try {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-warm-up-'));
    for (const [rel, content] of Object.entries(warmUpCorpus())) {
      const abs = path.join(dir, rel);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
    while (passes < MAX_PASSES && performance.now() - started < budgetMs) {
      await scanDirectory(dir, { repoName: 'stratum/warm-up' });
      passes++;
    }
    return { passes, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { passes, ms: Math.round(performance.now() - started), error: (err as Error).message };
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}
