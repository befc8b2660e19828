import { pct } from '../counts.js';
import { barChart, table } from '../histogram.js';
import { stratumForFramework } from '../strata-targets.js';
import type { Section } from './types.js';

export const frameworksSection: Section = {
  id: 'frameworks',
  title: 'Frameworks',
  build({ stats, strata }) {
    const eff = stats.effective;
    const rows = stats.frameworks.sorted().map(([framework, repos]) => {
      const stratum = stratumForFramework(framework, strata.strata);
      return {
        framework,
        repos,
        share_of_effective: eff ? repos / eff : 0,
        stratum: stratum?.name ?? null,
        stratum_target: stratum?.target ?? null,
        gap_to_target: stratum ? Math.max(0, stratum.target - repos) : null,
      };
    });
    const md = [
      `Repositories (success + partial, ${eff}) in which each framework was detected; a repository with several frameworks counts for each.` +
        (stats.unknown.frameworks
          ? ` ${stats.unknown.frameworks} rows have no frameworks list (unknown, not counted).`
          : ''),
      '',
      rows.length
        ? barChart(rows.map((r) => ({ label: r.framework, value: r.repos })))
        : '_No framework detected in any row._',
      '',
      table(
        ['framework', 'repos', '% of effective', 'stratum', 'target', 'gap'],
        rows.map((r) => [
          r.framework,
          r.repos,
          pct(r.repos, eff),
          r.stratum ?? '–',
          r.stratum_target ?? '–',
          r.gap_to_target ?? '–',
        ]),
      ),
      '',
      `Targets from ${strata.source}; the gap is target − repos (0 when met).`,
    ];
    return {
      data: {
        effective: eff,
        unknown: stats.unknown.frameworks,
        frameworks: rows,
        strata_source: strata.source,
      },
      markdown: md.join('\n'),
    };
  },
};
