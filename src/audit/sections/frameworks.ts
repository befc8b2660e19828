import { pct, share } from '../counts.js';
import { barChart, table } from '../histogram.js';
import { stratumForFramework } from '../strata-targets.js';
import type { Section } from './types.js';

export const frameworksSection: Section = {
  id: 'frameworks',
  title: 'Frameworks',
  build({ stats, strata, thresholds }) {
    const eff = stats.effective;
    // The gap is measured against G2's minimum for each framework it names, never against a
    // stratum target (several frameworks can share one stratum and its target).
    const g2 = new Set(thresholds.g2Frameworks);
    const counted = new Map(stats.frameworks.sorted());
    for (const f of thresholds.g2Frameworks) if (!counted.has(f)) counted.set(f, 0);
    const rows = [...counted].map(([framework, repos]) => {
      const stratum = stratumForFramework(framework, strata.strata);
      return {
        framework,
        repos,
        share_of_effective: share(repos, eff),
        stratum: stratum?.name ?? null,
        stratum_target: stratum?.target ?? null,
        g2_min_repos: g2.has(framework) ? thresholds.g2MinRepos : null,
        gap_to_g2: g2.has(framework) ? Math.max(0, thresholds.g2MinRepos - repos) : null,
      };
    });
    const md = [
      `Repositories (success + partial, ${eff}) in which each framework was detected; a repository with several frameworks counts for each.`,
      '',
      rows.length
        ? barChart(rows.map((r) => ({ label: r.framework, value: r.repos })))
        : '_No framework detected in any row._',
      '',
      table(
        ['framework', 'repos', '% of effective', 'stratum', 'G2 minimum', 'gap to G2'],
        rows.map((r) => [
          r.framework,
          r.repos,
          pct(r.repos, eff),
          r.stratum ?? '–',
          r.g2_min_repos ?? '–',
          r.gap_to_g2 ?? '–',
        ]),
      ),
      '',
      `The gap is G2's minimum (${thresholds.g2MinRepos} repositories for each of ${thresholds.g2Frameworks.join(', ')}) − repos, 0 when met; ` +
        `the strata and their targets (from ${strata.source}) are in the Strata section.`,
    ];
    return {
      data: { effective: eff, frameworks: rows, strata_source: strata.source },
      markdown: md.join('\n'),
    };
  },
};
