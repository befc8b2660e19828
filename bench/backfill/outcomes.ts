import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Ping } from '../../src/core/contract/index.js';
import { evidenceOfNode, evidenceTier } from '../../src/producer/discover/dependency-evidence.js';
import { createGeneratorContext, generatePing } from '../../src/testdata/index.js';
import type { Cloner } from '../../src/workers/clone/cloner.js';
import type { ScannerRunner } from '../../src/workers/scan/scanner-runner.js';
import type { FakeRepo } from '../../test/support/fake-github/index.js';

/**
 * The benchmark's model of what a scan makes of a repository (an assumption, stated in
 * docs/backfill.md): a per-stratum failure rate, and an empty rate that depends on what the
 * repository's dependency files say about the stratum's frameworks (the same tiers the
 * sampler ranks by). Deterministic per repository (a hash of its name).
 */
export interface OutcomeModel {
  failed: Record<string, number>;
  /** Empty rate by evidence tier: 0 files name a stratum framework, 1 no file, 2 files name none. */
  emptyByTier: [number, number, number];
  /** Added to the empty rate of these strata (the "worse" ones). */
  worse: Record<string, number>;
}

export const DEFAULT_MODEL: OutcomeModel = {
  failed: { '*': 0.08, crewai: 0.12 },
  emptyByTier: [0.1, 0.25, 0.4],
  worse: { crewai: 0.1 },
};

export type Outcome = 'effective' | 'empty' | 'failed';

function unit(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 8), 16) / 0x1_0000_0000;
}

export function outcomeOf(
  repo: FakeRepo,
  stratum: string,
  accepted: readonly string[],
  model: OutcomeModel,
): Outcome {
  const failed = model.failed[stratum] ?? model.failed['*'] ?? 0;
  if (unit(`${repo.fullName}#failed`) < failed) return 'failed';
  const evidence = evidenceOfNode({
    requirementsTxt:
      repo.files?.['requirements.txt'] === undefined ? null : { text: repo.files['requirements.txt'] },
    pyprojectToml:
      repo.files?.['pyproject.toml'] === undefined ? null : { text: repo.files['pyproject.toml'] },
  });
  const empty = model.emptyByTier[evidenceTier(evidence, accepted)] + (model.worse[stratum] ?? 0);
  return unit(`${repo.fullName}#empty`) < empty ? 'empty' : 'effective';
}

/** Stand-ins whose clone fails or whose scan is empty or successful as the model says. */
export function outcomeStandIns(decide: (repoFullName: string) => Outcome) {
  const calls = new Map<string, number>();
  const ctx = createGeneratorContext(7, 400);
  let template: Ping | undefined;
  for (let i = 0; i < 400 && !template; i++) {
    const p = generatePing(ctx, i);
    if (p.scan_status === 'success') template = p;
  }
  if (!template) throw new Error('no success ping among the generated ones');
  const success = template;
  const cloner: Cloner = {
    async clone({ url, dir }) {
      const name = decodeURIComponent(new URL(url).pathname.replace(/^\/stand-in\//, ''));
      calls.set(name, (calls.get(name) ?? 0) + 1);
      if (decide(name) === 'failed')
        return {
          ok: false,
          durationMs: 1,
          code: 'clone_404',
          transient: false,
          detail: 'stand-in: clone failed',
        };
      await fs.mkdir(path.join(dir, 'repo'), { recursive: true });
      return { ok: true, durationMs: 1 };
    },
  };
  const scanner: ScannerRunner = {
    description: 'benchmark stand-in (outcome model)',
    async scan({ repoFullName, repoUrl }) {
      const base = {
        scan_id: randomBytes(8).toString('hex'),
        timestamp: new Date().toISOString(),
        repo_full_name: repoFullName,
        repo_url: repoUrl,
      };
      const ping =
        decide(repoFullName) === 'empty'
          ? {
              ...base,
              scanner_version: 'stand-in-0.1',
              repo_hash: 'standin',
              schema_id: 5,
              schema_version: '0.3.2',
              selection_stratum: '',
              scan_status: 'empty',
              scan_duration_ms: 1,
              files_scanned: 0,
              files_total: 1,
              parser_errors: 0,
              failure_reason: 'no_agents',
              risk_score: 0,
              finding_rule_count: 0,
              agent_count: 0,
              crew_count: 0,
              frameworks: [],
            }
          : { ...success, ...base };
      return { ok: true, exitCode: 0, durationMs: 1, stdout: JSON.stringify(ping) };
    },
  };
  return { cloner, scanner, calls };
}
