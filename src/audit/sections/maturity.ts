import { pct } from '../counts.js';
import { barChart } from '../histogram.js';
import type { Section } from './types.js';

export const maturitySection: Section = {
  id: 'maturity',
  title: 'Deployment maturity',
  build({ stats, thresholds }) {
    const scores = [...stats.deployment].map((repos, score) => ({ score, repos }));
    const total = scores.reduce((a, s) => a + s.repos, 0);
    const min = thresholds.g3MinDeploymentScore;
    const atLeast = scores.filter((s) => s.score >= min).reduce((a, s) => a + s.repos, 0);
    const md = [
      `deployment_signals.deployment_score (Dockerfile, CI, tests, lockfile, .env example) of ${total} success + partial repositories. ` +
        `${atLeast} (${pct(atLeast, total)}) score ≥ ${min}.`,
      '',
      barChart(scores.map((s) => ({ label: `score ${s.score}`, value: s.repos, note: pct(s.repos, total) }))),
    ];
    return {
      data: { repos: total, histogram: scores, min_score: min, repos_at_least_min: atLeast },
      markdown: md.join('\n'),
    };
  },
};
