import { pct } from '../counts.js';
import { table } from '../histogram.js';
import type { Section } from './types.js';

export const strataSection: Section = {
  id: 'strata',
  title: 'Strata',
  build({ stats, strata }) {
    const known = new Set(strata.strata.map((s) => s.name));
    const rows = strata.strata.map((s) => {
      const c = stats.strata.get(s.name) ?? { rows: 0, effective: 0 };
      return {
        stratum: s.name,
        target: s.target,
        rows: c.rows,
        effective: c.effective,
        share_of_target: s.target ? c.effective / s.target : null,
        gap: Math.max(0, s.target - c.effective),
      };
    });
    const unknown = [...stats.strata]
      .filter(([name]) => !known.has(name))
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([name, c]) => ({ stratum: name, rows: c.rows, effective: c.effective }));
    const md = [
      `Rows per selection_stratum against the discovery targets (${strata.source}). "Effective" = success + partial.` +
        (stats.unknown.stratum
          ? ` ${stats.unknown.stratum} rows have no selection_stratum (not counted).`
          : ''),
      '',
      table(
        ['stratum', 'target', 'rows', 'effective', '% of target', 'gap'],
        [
          ...rows.map((r) => [r.stratum, r.target, r.rows, r.effective, pct(r.effective, r.target), r.gap]),
          ...unknown.map((u) => [
            `${u.stratum} (not in the strata file)`,
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
