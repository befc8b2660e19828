import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import type { Ping } from '../../src/core/contract/index.js';
import { tempDir } from '../support/tmp.js';
import { failed, manifestRow, ping, writeJsonl } from './fixtures.js';

const FRAMEWORKS = ['LangChain', 'CrewAI', 'LangGraph', 'AutoGen'];

/**
 * 400 repos: 4 frameworks × deploy 0–4, a 14-member and a 6-member topology cluster, a fork
 * chain; every 20th row carries no agent content (10 failed, 10 empty).
 */
function dataset(): { rows: Ping[]; manifest: ReturnType<typeof manifestRow>[] } {
  const rows: Ping[] = [];
  const manifest: ReturnType<typeof manifestRow>[] = [];
  for (let i = 0; i < 400; i++) {
    const repo = `s/r${i}`;
    if (i % 40 === 19) rows.push(failed(repo));
    else if (i % 40 === 39) rows.push(failed(repo, 'empty', 'no_python'));
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
  it('is deterministic for a seed, ~80/20 per stratum, and covers every success/partial row once', async () => {
    const a = await runIn('a', 7);
    const b = await runIn('b', 7);
    const sa = readSplit(a.dir);
    const sb = readSplit(b.dir);
    expect(sa.train).toBe(sb.train);
    expect(sa.test).toBe(sb.test);
    expect(sa.sidecar).toEqual(sb.sidecar);
    expect(sa.sidecar).toHaveLength(380);
    expect(new Set(sa.sidecar.map((s) => s.repo_full_name)).size).toBe(380);
    const split = a.result.split!;
    expect(split.train + split.test).toBe(380);
    expect(split.notSplit).toBe(20);
    expect(Math.abs(split.test - 76)).toBeLessThanOrEqual(10);
    // Singleton-only strata get exactly round(20 %) test repos.
    for (const s of split.strata) expect(s.test).toBeLessThanOrEqual(Math.round(s.repos * 0.2) + 15);
    // The failed/empty rows (no framework) made the 'none × n/a' stratum: it is not in the split.
    expect(split.strata.map((s) => s.stratum)).not.toContain('none × n/a');
    const c = await runIn('c', 8);
    expect(readSplit(c.dir).test).not.toBe(sa.test);
  });

  it('keeps failed and empty rows out of the split files and the sidecar, not out of the dataset', async () => {
    const { dir, result } = await runIn('effective', 5);
    const noContent = [...Array(400).keys()].filter((i) => i % 20 === 19).map((i) => `s/r${i}`);
    const splitRows = ['train', 'test'].flatMap((side) =>
      readFileSync(path.join(dir, `scan_results_${side}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Ping),
    );
    expect(splitRows).toHaveLength(380);
    expect(splitRows.filter((p) => p.scan_status !== 'success' && p.scan_status !== 'partial')).toEqual([]);
    const names = new Set(splitRows.map((p) => p.repo_full_name));
    expect(noContent.filter((n) => names.has(n))).toEqual([]);
    for (const side of ['train', 'test']) {
      const pq = await parquetReadObjects({
        file: await asyncBufferFromFile(path.join(dir, `scan_results_${side}.parquet`)),
        columns: ['scan_status'],
      });
      expect(pq.filter((r) => r.scan_status !== 'success' && r.scan_status !== 'partial')).toEqual([]);
    }
    const { side } = readSplit(dir);
    expect(noContent.filter((n) => side.has(n))).toEqual([]);
    // Still in the dataset: the full Parquet file and the audit's counts.
    const all = await parquetReadObjects({
      file: await asyncBufferFromFile(path.join(dir, 'scan_results.parquet')),
      columns: ['repo_full_name'],
    });
    expect(all).toHaveLength(400);
    expect(result.rows).toBe(400);
    expect(readFileSync(path.join(dir, 'DATASET_CARD.md'), 'utf8')).toMatch(
      /success` or `partial`.*20 `failed`\/`empty` rows are in `scan_results.parquet`/,
    );
  });

  it('a repository whose frozen assignment now has a failed row stays in the sidecar but leaves the split files', async () => {
    const first = await runIn('refailed', 4);
    const before = readSplit(first.dir);
    const rows = dataset().rows.map((p) =>
      p.repo_full_name === 's/r7' ? failed('s/r7', 'failed', 'clone_timeout') : p,
    );
    const input = writeJsonl(root, 'refailed-2.jsonl', rows);
    await runAudit({ input, manifest: first.manifest, outDir: first.dir, split: true, seed: 4 });
    const after = readSplit(first.dir);
    expect(after.side.get('s/r7')).toBe(before.side.get('s/r7'));
    expect(`${after.train},${after.test}`.split(',')).not.toContain('s/r7');
    expect(`${before.train},${before.test}`.split(',')).toContain('s/r7');
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
      // s/r39 is an empty row (no topology hash, not split), so the BIG cluster has 14 members.
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
    expect(again.split!.frozen).toBe(380);
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
    expect(third.split!.frozen).toBe(380);
    for (const [repo, s] of before.side) expect(latest.side.get(repo)).toBe(s);
    expect(latest.side.get('s/new-big')).toBe(bigSide);
    expect(latest.sidecar).toHaveLength(401);
    expect(latest.sidecar.slice(0, 380)).toEqual(before.sidecar);
  });
});
