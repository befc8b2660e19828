import { medianOfCounts, pct } from '../counts.js';
import { fmtNumber, table } from '../histogram.js';
import type { Section } from './types.js';

export const findingsSection: Section = {
  id: 'findings',
  title: 'Findings',
  build({ stats, thresholds }) {
    const eff = stats.effective;
    const min = thresholds.g4MinReposPerRule;
    const rules = stats.ruleRepos.sorted().map(([rule, repos]) => ({
      rule,
      repos,
      share_of_effective: eff ? repos / eff : 0,
      median_fix_impact: medianOfCounts(stats.ruleImpact.get(rule)?.map ?? []),
      rare: repos < min,
    }));
    const rare = rules.filter((r) => r.rare).length;
    const md = [
      `${rules.length} distinct rules fired (keys of finding_instance_counts) across ${eff} success + partial repositories; ${rare} fire in fewer than ${min} repositories (flagged ⚠).`,
      '',
      table(
        ['rule', 'repos', '% of repos', 'median fix impact', 'flag'],
        rules.map((r) => [
          r.rule,
          r.repos,
          pct(r.repos, eff),
          fmtNumber(r.median_fix_impact, 1),
          r.rare ? `⚠ < ${min}` : '',
        ]),
      ),
    ];
    return {
      data: { effective: eff, min_repos_per_rule: min, rules, rare_rules: rare },
      markdown: md.join('\n'),
    };
  },
};
