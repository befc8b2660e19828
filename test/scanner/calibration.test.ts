import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/scanner/index.js';
import { type CalibrationLabel, compareLabel } from '../support/calibration-compare.js';

/**
 * The scanner calibration as a regression test that fetches nothing: each hand-labelled public
 * repository (labels.json: what a reader counts, at a pinned commit) has a fixture written for
 * this project reproducing its relevant structure. The fixture must give the labelled values,
 * except the fields listed as known misses, which must still differ (fixing one means moving it
 * out of the list). `fixture_expect` holds the values of a fixture that reproduces a large
 * repository's structure at a smaller scale. See docs/scanner-calibration.md.
 */
interface Label extends CalibrationLabel {
  fixture_expect?: Partial<CalibrationLabel>;
  known_misses?: string[];
}

const dir = path.resolve(import.meta.dirname, 'calibration');
const labels = (JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8')) as { repositories: Label[] })
  .repositories;

describe('scanner calibration on hand-labelled repositories', () => {
  it('labels at least 30 repositories other than frameworks, each at a pinned commit with a fixture', () => {
    expect(labels.filter((l) => l.stratum !== 'framework_repository').length).toBeGreaterThanOrEqual(30);
    for (const l of labels) {
      expect(l.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(existsSync(path.join(dir, 'fixtures', l.fixture))).toBe(true);
    }
    expect(new Set(labels.map((l) => l.repo)).size).toBe(labels.length);
  });

  for (const label of labels) {
    it(`${label.repo}: the fixture gives what a reader counts`, async () => {
      const ping = (await scanRepository(path.join(dir, 'fixtures', label.fixture), {
        repoName: label.repo,
      })) as Record<string, unknown>;
      const want: CalibrationLabel = { ...label, ...label.fixture_expect };
      const misses = new Set(label.known_misses ?? []);
      const results = compareLabel(want, ping);
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        if (misses.has(r.field)) expect(r.got, `${r.field} is a known miss`).not.toEqual(r.want);
        else expect(r.got, r.field).toEqual(r.want);
      }
    });
  }
});
