import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatIssues,
  type Ping,
  validateManifestRecord,
  validatePing,
} from '../../src/core/contract/index.js';
import { writeTestData } from '../../src/testdata/index.js';
import { tempDir } from '../support/tmp.js';

let dir: string;
let cleanup: () => void;
let pings: Ping[];
let text: string;
const COUNT = 2000;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('testdata'));
  await writeTestData({
    count: COUNT,
    seed: 7,
    output: path.join(dir, 'a.jsonl'),
    manifestOutput: path.join(dir, 'm.jsonl'),
  });
  text = readFileSync(path.join(dir, 'a.jsonl'), 'utf8');
  pings = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
});
afterAll(() => cleanup());

describe('synthetic test data', () => {
  it('is deterministic for a seed and different for another seed', async () => {
    await writeTestData({ count: COUNT, seed: 7, output: path.join(dir, 'b.jsonl') });
    await writeTestData({ count: COUNT, seed: 8, output: path.join(dir, 'c.jsonl') });
    expect(readFileSync(path.join(dir, 'b.jsonl'), 'utf8')).toBe(text);
    expect(readFileSync(path.join(dir, 'c.jsonl'), 'utf8')).not.toBe(text);
  });

  it('every ping passes the contract, and every manifest row too', () => {
    expect(pings).toHaveLength(COUNT);
    const bad = pings
      .map((p, i) => [i, validatePing(p, { repoFullName: p.repo_full_name })] as const)
      .filter(([, v]) => !v.ok)
      .map(([i, v]) => `ping ${i}: ${v.ok ? '' : formatIssues(v.errors)}`);
    expect(bad).toEqual([]);
    const manifest = readFileSync(path.join(dir, 'm.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(manifest).toHaveLength(COUNT);
    expect(manifest.filter((l) => !validateManifestRecord(JSON.parse(l)).ok)).toEqual([]);
    expect(new Set(pings.map((p) => p.repo_full_name)).size).toBe(COUNT);
  });

  it('looks like a real dataset: statuses, frameworks, rules, scores, clusters, failures', () => {
    const status = new Map<string, number>();
    for (const p of pings) status.set(p.scan_status, (status.get(p.scan_status) ?? 0) + 1);
    for (const [s, share] of [
      ['success', 0.7],
      ['partial', 0.1],
      ['empty', 0.13],
      ['failed', 0.07],
    ] as const)
      expect(Math.abs((status.get(s) ?? 0) / COUNT - share)).toBeLessThan(0.03);
    const full = pings.filter((p) => p.scan_status === 'success' || p.scan_status === 'partial');
    expect(full.filter((p) => (p.frameworks?.length ?? 0) >= 2).length / full.length).toBeGreaterThan(0.2);
    const rules = new Map<string, number>();
    for (const p of full) for (const r of p.finding_rules ?? []) rules.set(r, (rules.get(r) ?? 0) + 1);
    expect(rules.size).toBeGreaterThanOrEqual(20);
    const counts = [...rules.values()].sort((a, b) => b - a);
    expect(counts[0]! / counts[counts.length - 1]!).toBeGreaterThan(5); // skewed prevalence
    expect(new Set(full.map((p) => p.deployment_signals?.deployment_score))).toEqual(
      new Set([0, 1, 2, 3, 4, 5]),
    );
    const clusters = new Map<string, number>();
    for (const p of full)
      clusters.set(p.topology_signature_hash!, (clusters.get(p.topology_signature_hash!) ?? 0) + 1);
    expect([...clusters.values()].filter((n) => n >= 10).length).toBeGreaterThanOrEqual(1);
    const reasons = new Set(pings.filter((p) => p.scan_status === 'failed').map((p) => p.failure_reason));
    expect(reasons.size).toBeGreaterThanOrEqual(6);
    expect(pings.every((p) => p.scan_duration_ms >= 0)).toBe(true);
    // Full-size rows, like the conformance pings (4–14 KB): several KB on average.
    const fullBytes = full.reduce((a, p) => a + JSON.stringify(p).length, 0) / full.length;
    expect(fullBytes).toBeGreaterThan(3500);
  });
});
