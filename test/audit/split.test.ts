import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import type { Ping } from '../../src/core/contract/index.js';
import { tempDir } from '../support/tmp.js';
import { failed, manifestRow, ping, writeJsonl } from './fixtures.js';

const FRAMEWORKS = ['LangChain', 'CrewAI', 'LangGraph', 'AutoGen'];

/** 400 repos: 4 frameworks × deploy 0–4, a 14-member and a 6-member topology cluster, a fork chain. */
function dataset(): { rows: Ping[]; manifest: ReturnType<typeof manifestRow>[] } {
  const rows: Ping[] = [];
  const manifest: ReturnType<typeof manifestRow>[] = [];
  for (let i = 0; i < 400; i++) {
    const repo = `s/r${i}`;
    if (i % 20 === 19) rows.push(failed(repo));
    else
      rows.push(
        ping({
          repo,
          frameworks: [FRAMEWORKS[i % 4] as string],
          deploy: Math.floor(i / 4) % 5,
          topology: i < 45 && i % 3 === 0 ? 'BIG' : i >= 100 && i < 106 ? 'SMALL' : `t${i}`,
        }),
      );
    // Fork chain s/r200 ← s/r201 ← s/r202 (each a fork of the previous); distinct topologies.
    manifest.push(
      manifestRow(repo, { python: 10, ...(i === 201 || i === 202 ? { forkParent: `s/r${i - 1}` } : {}) }),
    );
  }
  return { rows, manifest };
}

/** Repository names of a split file, in file order (scan ids differ between generated copies). */
function reposIn(file: string): string {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as Ping).repo_full_name)
    .join(',');
}

function readSplit(dir: string) {
  const sidecar = readFileSync(path.join(dir, 'split_assignment.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { repo_full_name: string; split: string; stratum?: string; group?: string });
  return {
    sidecar,
    side: new Map(sidecar.map((s) => [s.repo_full_name, s.split])),
    train: reposIn(path.join(dir, 'scan_results_train.jsonl')),
    test: reposIn(path.join(dir, 'scan_results_test.jsonl')),
  };
}

let root: string;
let cleanup: () => void;
beforeAll(() => ({ dir: root, cleanup } = tempDir('audit-split')));
afterAll(() => cleanup());

async function runIn(name: string, seed: number, rows = dataset().rows, manifest = dataset().manifest) {
  const dir = path.join(root, name);
  const input = writeJsonl(root, `${name}.jsonl`, rows);
  const man = writeJsonl(root, `${name}.manifest.jsonl`, manifest);
  const result = await runAudit({ input, manifest: man, outDir: dir, split: true, seed });
  return { dir, input, manifest: man, result };
}

describe('stratified train/test split', () => {
  it('is deterministic for a seed, ~80/20 per stratum, and covers every accepted row once', async () => {
    const a = await runIn('a', 7);
    const b = await runIn('b', 7);
    const sa = readSplit(a.dir);
    const sb = readSplit(b.dir);
    expect(sa.train).toBe(sb.train);
    expect(sa.test).toBe(sb.test);
    expect(sa.sidecar).toEqual(sb.sidecar);
    expect(sa.sidecar).toHaveLength(400);
    expect(new Set(sa.sidecar.map((s) => s.repo_full_name)).size).toBe(400);
    const split = a.result.split!;
    expect(split.train + split.test).toBe(400);
    expect(Math.abs(split.test - 80)).toBeLessThanOrEqual(10);
    // Singleton-only strata get exactly round(20 %) test repos.
    for (const s of split.strata) expect(s.test).toBeLessThanOrEqual(Math.round(s.repos * 0.2) + 15);
    const none = split.strata.find((s) => s.stratum === 'none × n/a');
    expect(none).toMatchObject({ repos: 20, test: 4, train: 16, flagged: true });
    const c = await runIn('c', 8);
    expect(readSplit(c.dir).test).not.toBe(sa.test);
  });

  it('strata too small for a test repository of their own still add up to ~20 %', async () => {
    // 25 repos, each alone in its stratum (framework × deployment score).
    const fws = ['LangChain', 'CrewAI', 'LangGraph', 'AutoGen', 'LlamaIndex'];
    const rows = Array.from({ length: 25 }, (_, i) =>
      ping({ repo: `tiny/r${i}`, frameworks: [fws[i % 5] as string], deploy: Math.floor(i / 5) }),
    );
    const { result } = await runIn('tiny', 3, rows, []);
    expect(result.split!.strata).toHaveLength(25);
    expect(result.split!.test).toBe(5);
    expect(result.split!.strata.every((s) => s.flagged)).toBe(true);
  });

  it('keeps every topology cluster and fork family on one side (leakage guard)', async () => {
    for (const seed of [1, 2, 3]) {
      const { dir, result } = await runIn(`leak${seed}`, seed);
      const { side } = readSplit(dir);
      // s/r39 is a failed row (no topology hash), so the BIG cluster has 14 members.
      const big = [...Array(45).keys()]
        .filter((i) => i % 3 === 0 && i !== 39)
        .map((i) => side.get(`s/r${i}`));
      expect(big).toHaveLength(14);
      expect(new Set(big).size).toBe(1);
      const small = [100, 101, 102, 103, 104, 105].map((i) => side.get(`s/r${i}`));
      expect(new Set(small).size).toBe(1);
      const forks = [200, 201, 202].map((i) => side.get(`s/r${i}`));
      expect(new Set(forks).size).toBe(1);
      expect(result.split!.groupsSpanningSplits).toBe(0);
      expect(result.split!.largestGroup).toBe(14);
    }
  });

  it('is frozen: a rerun (any seed) reuses the sidecar; new repos join their cluster', async () => {
    const first = await runIn('frozen', 11);
    const before = readSplit(first.dir);
    const again = await runAudit({
      input: first.input,
      manifest: first.manifest,
      outDir: first.dir,
      split: true,
      seed: 99,
    });
    expect(again.split!.frozen).toBe(400);
    const after = readSplit(first.dir);
    expect(after.sidecar).toEqual(before.sidecar);
    expect(after.test).toBe(before.test);

    // New rows: one joins the BIG cluster, 20 are new singletons.
    const bigSide = before.side.get('s/r0');
    const extra = [
      ping({ repo: 's/new-big', topology: 'BIG' }),
      ...Array.from({ length: 20 }, (_, i) => ping({ repo: `s/new${i}` })),
    ];
    appendFileSync(first.input, extra.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const third = await runAudit({
      input: first.input,
      manifest: first.manifest,
      outDir: first.dir,
      split: true,
      seed: 99,
    });
    const latest = readSplit(first.dir);
    expect(third.split!.frozen).toBe(400);
    for (const [repo, s] of before.side) expect(latest.side.get(repo)).toBe(s);
    expect(latest.side.get('s/new-big')).toBe(bigSide);
    expect(latest.sidecar).toHaveLength(421);
    expect(latest.sidecar.slice(0, 400)).toEqual(before.sidecar);
  });
});
