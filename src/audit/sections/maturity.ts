import { pct } from '../counts.js';
import { reposWithDeploymentAtLeast } from '../gates.js';
import { barChart } from '../histogram.js';
import type { Section } from './types.js';

export const maturitySection: Section = {
  id: 'maturity',
  title: 'Deployment maturity',
  build({ stats, thresholds }) {
    const scores = [...stats.deployment].map((repos, score) => ({ score, repos }));
    let above5 = 0;
    for (const n of stats.deploymentAbove5.map.values()) above5 += n;
    const total = scores.reduce((a, s) => a + s.repos, 0) + above5;
    const min = thresholds.g3MinDeploymentScore;
    const atLeast = reposWithDeploymentAtLeast(stats, min);
    const unknown = stats.unknown.deployment;
    const md = [
      `deployment_signals.deployment_score (the number of true deployment signals) of ${total} success + partial repositories. ` +
        `${atLeast} (${pct(atLeast, total)}) score ≥ ${min}.` +
        (unknown
          ? ` ${unknown} rows have no deployment_signals or no deployment_score: unknown, not counted (not 0).`
          : ''),
      '',
      barChart([
        ...scores.map((s) => ({ label: `score ${s.score}`, value: s.repos, note: pct(s.repos, total) })),
        ...(above5 ? [{ label: 'score > 5', value: above5, note: pct(above5, total) }] : []),
      ]),
    ];
    return {
      data: {
        repos: total,
        unknown,
        histogram: scores,
        above_5: above5,
        min_score: min,
        repos_at_least_min: atLeast,
      },
      markdown: md.join('\n'),
    };
  },
};
