import { describe, expect, it } from 'vitest';
import type { AuditStats } from '../../src/audit/collect.js';
import { Counter } from '../../src/audit/counts.js';
import type { ManifestIndex } from '../../src/audit/manifest-index.js';
import { strataGapRecommendations } from '../../src/audit/sections/strata-gaps.js';
import { strataSupply } from '../../src/audit/strata-supply.js';

function counter(entries: Record<string, number>): Counter {
  const c = new Counter();
  for (const [k, n] of Object.entries(entries)) c.add(k, n);
  return c;
}

describe('strata supply: primary, reserve used, effective rows, gap, more discovery', () => {
  const stats = {
    strata: new Map([
      ['full', { rows: 100, effective: 90 }],
      ['spent', { rows: 130, effective: 78 }],
      ['left', { rows: 110, effective: 70 }],
    ]),
  } as unknown as AuditStats;
  const manifest = {
    strata: counter({ full: 160, spent: 130, left: 160 }),
    reserveStrata: counter({ full: 60, spent: 30, left: 60 }),
  } as unknown as ManifestIndex;
  const targets = {
    source: 'test',
    strata: [
      { name: 'full', target: 90 },
      { name: 'spent', target: 100 },
      { name: 'left', target: 100 },
    ],
  };

  it('counts the reserve a stratum used and what it still lacks', () => {
    const supply = strataSupply(stats, targets, manifest);
    expect(
      supply.map((s) => [s.stratum, s.primary, s.reserve, s.reserve_used, s.gap, s.reserve_exhausted]),
    ).toEqual([
      ['full', 100, 60, 0, 0, false],
      ['spent', 100, 30, 30, 22, true],
      ['left', 100, 60, 10, 30, false],
    ]);
    // spent: yield 78/130 = 0.6 → ⌈22 / 0.6⌉ = 37 more repositories.
    expect(supply[1]!.more_discovery_needed).toBe(37);
    expect(supply[2]!.more_discovery_needed).toBe(0);
  });

  it('recommends more discovery for a stratum out of reserve, the back-fill for one with reserve left', () => {
    const recs = strataGapRecommendations(strataSupply(stats, targets, manifest));
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatch(
      /^Stratum spent ran out of reserve \(30 of 30 used\).*discover about 37 more repositories at its yield 60%/,
    );
    expect(recs[1]).toMatch(
      /^Stratum left has 70 effective rows of its target 100 and 50 reserve rows not scanned/,
    );
  });
});
