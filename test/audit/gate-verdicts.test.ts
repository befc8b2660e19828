import { describe, expect, it } from 'vitest';
import { type AuditThresholds, DEFAULT_THRESHOLDS } from '../../src/audit/audit-config.js';
import { AuditStats } from '../../src/audit/collect.js';
import { evaluateGates, type GateResult } from '../../src/audit/gates.js';
import { judgeLine } from '../../src/audit/line-verdict.js';
import { failed, ping } from './fixtures.js';

// The eight gates at their edges, in process: rows are judged and counted as the audit does
// (judgeLine → AuditStats), then the gates read the counts. Each case gives the verdict, the
// measured value and the evidence a user reads in the report's gate table.

function gatesOf(
  rows: ReadonlyArray<unknown>,
  thresholds: Partial<AuditThresholds> = {},
): Map<string, GateResult> {
  const stats = new AuditStats();
  rows.forEach((row, i) => {
    stats.addVerdict(
      judgeLine(JSON.stringify(row), i, false, () => undefined),
      i + 1,
    );
  });
  stats.finish();
  return new Map(evaluateGates(stats, { ...DEFAULT_THRESHOLDS, ...thresholds }).map((g) => [g.id, g]));
}

function gate(
  id: string,
  rows: ReadonlyArray<unknown>,
  thresholds: Partial<AuditThresholds> = {},
): GateResult {
  return gatesOf(rows, thresholds).get(id)!;
}

const verdict = (id: string, rows: ReadonlyArray<unknown>, thresholds: Partial<AuditThresholds> = {}) =>
  gate(id, rows, thresholds).verdict;

/** `n` effective rows named `<prefix>i`, each from `spec(i)`. */
const many = (
  n: number,
  prefix: string,
  spec: (i: number) => Omit<Parameters<typeof ping>[0], 'repo'> = () => ({}),
) => Array.from({ length: n }, (_, i) => ping({ repo: `${prefix}/r${i}`, ...spec(i) }));

/** A row in the reference pipeline's lighter shape: `ping` with the named fields set (undefined = absent). */
function referenceRow(repo: string, fields: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = { ...ping({ repo }) };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete row[k];
    else row[k] = v;
  }
  return row;
}

describe('G1 volume: success + partial rows ≥ the minimum', () => {
  const rows = [
    ...many(2, 's'),
    ...many(1, 'p', () => ({ status: 'partial' })),
    failed('f/r0'),
    failed('e/r0', 'empty', 'no_agents'),
  ];
  it('passes at the minimum, fails one below, and counts neither failed nor empty rows', () => {
    expect(gate('G1', rows, { g1MinEffective: 3 })).toEqual({
      id: 'G1',
      name: 'volume',
      pass: true,
      verdict: 'PASS',
      measured: 3,
      threshold: 3,
      evidence: '3 success+partial rows (need ≥ 3)',
    });
    expect(gate('G1', rows, { g1MinEffective: 4 })).toMatchObject({
      verdict: 'FAIL',
      pass: false,
      measured: 3,
    });
  });

  it('fails on no rows at all (a count below its minimum, not n/a)', () => {
    expect(gate('G1', [], { g1MinEffective: 1 })).toMatchObject({ verdict: 'FAIL', measured: 0 });
  });
});

describe('G2 framework coverage: every listed framework in ≥ the minimum of repos', () => {
  const rows = [
    ...many(3, 'lc', () => ({ frameworks: ['LangChain'] })),
    ...many(2, 'cr', () => ({ frameworks: ['CrewAI', 'LangChain'] })),
    // A failed row names no framework; its stratum says nothing about the framework either.
    failed('f/r0'),
  ];
  it('passes when the least covered framework sits at the minimum, naming each count', () => {
    expect(gate('G2', rows, { g2Frameworks: ['LangChain', 'CrewAI'], g2MinRepos: 2 })).toEqual({
      id: 'G2',
      name: 'framework coverage',
      pass: true,
      verdict: 'PASS',
      measured: 2,
      threshold: 2,
      evidence: 'LangChain 5, CrewAI 2 (each needs ≥ 2)',
    });
  });

  it('fails one above it, naming the short frameworks, and counts an unseen framework as 0', () => {
    expect(
      gate('G2', rows, { g2Frameworks: ['LangChain', 'CrewAI', 'AutoGen'], g2MinRepos: 3 }),
    ).toMatchObject({
      verdict: 'FAIL',
      measured: 0,
      evidence: 'LangChain 5, CrewAI 2, AutoGen 0 (each needs ≥ 3; short: CrewAI, AutoGen)',
    });
  });

  it('with no framework listed there is nothing to be short of', () => {
    expect(gate('G2', rows, { g2Frameworks: [], g2MinRepos: 5 })).toMatchObject({
      verdict: 'PASS',
      measured: 0,
      evidence: ' (each needs ≥ 5)',
    });
  });
});

describe('G3 deployment maturity: repos with deployment_score ≥ the minimum score', () => {
  const rows = [
    ...many(2, 'd2', () => ({ deploy: 2 })),
    ...many(2, 'd3', () => ({ deploy: 3 })),
    ...many(1, 'd5', () => ({ deploy: 5 })),
    // The reference's shape allows more than five signals (it counts every true one) and unknown scores.
    referenceRow('d6/r0', {
      deployment_signals: Object.fromEntries([
        ...Array.from({ length: 6 }, (_, k) => [`signal_${k}`, true]),
        ['deployment_score', 6],
      ]),
    }),
    referenceRow('unknown/r0', { deployment_signals: undefined }),
    referenceRow('unknown/r1', { deployment_signals: { deployment_score: null } }),
  ];

  it('counts the rows at the minimum score and above, 5 and above-5 scores included', () => {
    expect(gate('G3', rows, { g3MinDeploymentScore: 3, g3MinRepos: 4 })).toEqual({
      id: 'G3',
      name: 'deployment maturity',
      pass: true,
      verdict: 'PASS',
      measured: 4,
      threshold: 4,
      evidence: '4 repos with deployment_score ≥ 3 (need ≥ 4)',
    });
    expect(gate('G3', rows, { g3MinDeploymentScore: 3, g3MinRepos: 5 })).toMatchObject({ verdict: 'FAIL' });
    expect(gate('G3', rows, { g3MinDeploymentScore: 5, g3MinRepos: 1 }).measured).toBe(2);
    expect(gate('G3', rows, { g3MinDeploymentScore: 0, g3MinRepos: 1 }).measured).toBe(6);
  });

  it('above 5 only the scores at the minimum count; a row of unknown score never does', () => {
    expect(gate('G3', rows, { g3MinDeploymentScore: 6, g3MinRepos: 1 })).toMatchObject({
      verdict: 'PASS',
      measured: 1,
      evidence: '1 repo with deployment_score ≥ 6 (need ≥ 1)',
    });
    expect(gate('G3', rows, { g3MinDeploymentScore: 7, g3MinRepos: 1 })).toMatchObject({
      verdict: 'FAIL',
      measured: 0,
    });
  });
});

describe('G4 rule prevalence: rules firing in ≥ the minimum of repos', () => {
  const rows = [
    ...many(3, 'a', () => ({ rules: { R1: -1, R2: -1 } })),
    ...many(1, 'b', () => ({ rules: { R1: -1, R3: -1 } })),
  ];
  it('counts a rule at the minimum of repos, not one below it', () => {
    expect(gate('G4', rows, { g4MinReposPerRule: 3, g4MinRules: 2 })).toEqual({
      id: 'G4',
      name: 'rule prevalence',
      pass: true,
      verdict: 'PASS',
      measured: 2,
      threshold: 2,
      evidence: '2 of 3 rules fire in ≥ 3 repos (need ≥ 2)',
    });
    expect(gate('G4', rows, { g4MinReposPerRule: 4, g4MinRules: 1 })).toMatchObject({
      verdict: 'PASS',
      measured: 1,
    });
    expect(gate('G4', rows, { g4MinReposPerRule: 4, g4MinRules: 2 })).toMatchObject({ verdict: 'FAIL' });
  });
});

describe('G5 topology duplicates: share of rows in clusters of min_others + 1 or more', () => {
  // 8 rows: a cluster of 3 (T3), one of 2 (T2), three rows alone, and one failed row (no hash).
  const rows = [
    ...many(3, 't3', () => ({ topology: 'T3' })),
    ...many(2, 't2', () => ({ topology: 'T2' })),
    ...many(3, 'alone'),
    failed('f/r0'),
  ];
  it('counts a cluster of exactly min_others + 1, over every row, and passes at the maximum share', () => {
    // Clusters of 2+: 5 of 9 rows.
    expect(gate('G5', rows, { g5MinOthers: 1, g5MaxShare: 5 / 9 })).toMatchObject({
      verdict: 'PASS',
      measured: 5 / 9,
      evidence: `5 of 9 rows (55.56%) share a topology hash with ≥ 1 others (clusters of 2+; max 55.6%)`,
    });
    expect(gate('G5', rows, { g5MinOthers: 1, g5MaxShare: 0.55 })).toMatchObject({ verdict: 'FAIL' });
    // Clusters of 3+: the T3 rows only.
    expect(gate('G5', rows, { g5MinOthers: 2, g5MaxShare: 1 / 3 })).toEqual({
      id: 'G5',
      name: 'topology duplicates',
      pass: true,
      verdict: 'PASS',
      measured: 3 / 9,
      threshold: 1 / 3,
      evidence: '3 of 9 rows (33.33%) share a topology hash with ≥ 2 others (clusters of 3+; max 33.3%)',
    });
    expect(gate('G5', rows, { g5MinOthers: 3, g5MaxShare: 0 }).measured).toBe(0);
  });

  it('with min_others 0 every row that carries a hash counts, a hash shared or not', () => {
    expect(gate('G5', rows, { g5MinOthers: 0, g5MaxShare: 0.5 })).toMatchObject({
      verdict: 'FAIL',
      measured: 8 / 9,
    });
  });

  it('is n/a when no row carries a topology hash, even with rows to count', () => {
    const noHash = [referenceRow('x/r0', { topology_signature_hash: undefined }), failed('f/r0')];
    expect(gate('G5', noHash, { g5MinOthers: 0, g5MaxShare: 0 })).toMatchObject({
      verdict: 'n/a',
      pass: false,
      measured: 0,
    });
    expect(verdict('G5', [])).toBe('n/a');
  });
});

describe('G6 empty share and G7 failed share: at most the maximum of all rows', () => {
  // 10 rows: 2 empty, 1 failed, 7 effective.
  const rows = [
    ...many(7, 'ok'),
    failed('e/r0', 'empty', 'no_agents'),
    failed('e/r1', 'empty', 'no_python'),
    failed('f/r0', 'failed', 'clone_404'),
  ];
  it('G6 passes at exactly the maximum share and fails just under it', () => {
    expect(gate('G6', rows, { g6MaxEmptyShare: 0.2 })).toEqual({
      id: 'G6',
      name: 'empty share',
      pass: true,
      verdict: 'PASS',
      measured: 0.2,
      threshold: 0.2,
      evidence: '2 of 10 rows empty (20.00%; max 20.0%)',
    });
    expect(gate('G6', rows, { g6MaxEmptyShare: 0.19 })).toMatchObject({ verdict: 'FAIL', measured: 0.2 });
  });

  it('G7 passes at exactly the maximum share and fails just under it', () => {
    expect(gate('G7', rows, { g7MaxFailedShare: 0.1 })).toEqual({
      id: 'G7',
      name: 'failed share',
      pass: true,
      verdict: 'PASS',
      measured: 0.1,
      threshold: 0.1,
      evidence: '1 of 10 rows failed (10.00%; max 10.0%)',
    });
    expect(gate('G7', rows, { g7MaxFailedShare: 0.09 })).toMatchObject({ verdict: 'FAIL', measured: 0.1 });
  });

  it('both are n/a without rows, and judged (PASS) on rows with neither status', () => {
    for (const id of ['G6', 'G7']) {
      expect(gate(id, [], { g6MaxEmptyShare: 0, g7MaxFailedShare: 0 })).toMatchObject({
        verdict: 'n/a',
        pass: false,
        measured: 0,
      });
      expect(verdict(id, many(1, 'ok'), { g6MaxEmptyShare: 0, g7MaxFailedShare: 0 })).toBe('PASS');
    }
  });
});

describe('G8 parse coverage: the exact median of files_scanned / files_total', () => {
  const ratios = (values: Array<[number, number]>) =>
    values.map(([scanned, total], i) => ping({ repo: `c/r${i}`, filesScanned: scanned, filesTotal: total }));

  it('passes at the minimum, fails just above it, and shows the median to three decimals', () => {
    const rows = ratios([
      [1, 2],
      [4, 5],
      [9, 10],
    ]);
    expect(gate('G8', rows, { g8MinMedianCoverage: 0.8 })).toEqual({
      id: 'G8',
      name: 'parse coverage',
      pass: true,
      verdict: 'PASS',
      measured: 0.8,
      threshold: 0.8,
      evidence: 'median files_scanned/files_total 0.800 over 3 repos (need ≥ 0.80)',
    });
    expect(gate('G8', rows, { g8MinMedianCoverage: 0.81 })).toMatchObject({ verdict: 'FAIL', measured: 0.8 });
  });

  it('gives the exact median when the rounded one would sit on the other side of the minimum', () => {
    // 0.7996 rounds to 0.800: the rounded value would pass, the exact one fails.
    const below = ratios([[7996, 10000]]);
    expect(gate('G8', below, { g8MinMedianCoverage: 0.8 })).toMatchObject({
      verdict: 'FAIL',
      evidence: 'median files_scanned/files_total 0.800 (exactly 0.7996) over 1 repo (need ≥ 0.80)',
    });
    // 0.8004 rounds to 0.800, under a minimum of 0.8001 the exact value reaches.
    const above = ratios([[8004, 10000]]);
    expect(gate('G8', above, { g8MinMedianCoverage: 0.8001 })).toMatchObject({
      verdict: 'PASS',
      evidence: 'median files_scanned/files_total 0.800 (exactly 0.8004) over 1 repo (need ≥ 0.80)',
    });
    // Rounding that keeps the side adds nothing.
    expect(gate('G8', above, { g8MinMedianCoverage: 0.8 }).evidence).toBe(
      'median files_scanned/files_total 0.800 over 1 repo (need ≥ 0.80)',
    );
  });

  it('is n/a when no row has files_total > 0; rows of unknown or zero files are left out of the median', () => {
    const rows = [
      ping({ repo: 'z/r0', filesScanned: 0, filesTotal: 0 }),
      referenceRow('u/r0', { files_total: null, files_scanned: null }),
      referenceRow('u/r1', { files_total: undefined, files_scanned: undefined }),
      failed('f/r0'),
    ];
    expect(gate('G8', rows, { g8MinMedianCoverage: 0 })).toEqual({
      id: 'G8',
      name: 'parse coverage',
      pass: false,
      verdict: 'n/a',
      measured: null,
      threshold: 0,
      evidence:
        'median files_scanned/files_total n/a (no rows with files_total > 0) over 0 repos (need ≥ 0.00)',
    });
    expect(gate('G8', [...rows, ...ratios([[1, 4]])], { g8MinMedianCoverage: 0.25 })).toMatchObject({
      verdict: 'PASS',
      measured: 0.25,
    });
  });
});

describe('all eight gates', () => {
  it('come in order G1…G8, and a gate without data is n/a, never PASS', () => {
    const gates = [...gatesOf([]).values()];
    expect(gates.map((g) => [g.id, g.verdict])).toEqual([
      ['G1', 'FAIL'],
      ['G2', 'FAIL'],
      ['G3', 'FAIL'],
      ['G4', 'FAIL'],
      ['G5', 'n/a'],
      ['G6', 'n/a'],
      ['G7', 'n/a'],
      ['G8', 'n/a'],
    ]);
    expect(gates.every((g) => g.pass === (g.verdict === 'PASS'))).toBe(true);
  });
});
