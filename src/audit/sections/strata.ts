import { pct } from '../counts.js';
import { table } from '../histogram.js';
import { strataSupply } from '../strata-supply.js';
import type { Section } from './types.js';

const dash = (n: number | null) => (n === null ? '–' : n);

export const strataSection: Section = {
  id: 'strata',
  title: 'Strata',
  build({ stats, strata, manifest }) {
    const known = new Set(strata.strata.map((s) => s.name));
    const rows = strataSupply(stats, strata, manifest).map((r) => ({
      ...r,
      share_of_target: r.target ? r.effective / r.target : null,
    }));
    const unknown = [...stats.strata]
      .filter(([name]) => !known.has(name))
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([name, c]) => ({ stratum: name, rows: c.rows, effective: c.effective }));
    const md = [
      `Rows per selection_stratum against the discovery targets (${strata.source}). "Effective" = success + partial. ` +
        '"Primary" and "reserve" are the manifest\'s rows; "reserve used" = rows beyond the primary ones (the back-fill).' +
        (stats.unknown.stratum
          ? ` ${stats.unknown.stratum} rows have no selection_stratum (not counted).`
          : ''),
      '',
      table(
        [
          'stratum',
          'target',
          'primary',
          'reserve',
          'reserve used',
          'rows',
          'effective',
          '% of target',
          'gap',
        ],
        [
          ...rows.map((r) => [
            r.stratum,
            r.target,
            dash(r.primary),
            dash(r.reserve),
            r.reserve_used === null
              ? '–'
              : `${r.reserve_used}${r.reserve_exhausted && r.gap > 0 ? ' (all)' : ''}`,
            r.rows,
            r.effective,
            pct(r.effective, r.target),
            r.gap,
          ]),
          ...unknown.map((u) => [
            `${u.stratum} (not in the strata file)`,
            '–',
            '–',
            '–',
            '–',
            u.rows,
            u.effective,
            '–',
            '–',
          ]),
        ],
      ),
    ];
    return {
      data: {
        source: strata.source,
        strata: rows,
        unknown_strata: unknown,
        rows_without_stratum: stats.unknown.stratum,
      },
      markdown: md.join('\n'),
    };
  },
};
