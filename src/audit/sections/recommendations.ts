import { share } from '../counts.js';
import { contaminatedRepos, medianCoverage, reposWithDeploymentAtLeast } from '../gates.js';
import { strataSupply } from '../strata-supply.js';
import { stratumForFramework } from '../strata-targets.js';
import { strataGapRecommendations } from './strata-gaps.js';
import type { Section } from './types.js';

export const recommendationsSection: Section = {
  id: 'recommendations',
  title: 'Recommendations',
  build({ stats, thresholds: t, strata, split, manifest }) {
    const out: string[] = [];
    for (const fw of t.g2Frameworks) {
      const n = stats.frameworks.get(fw);
      if (n < t.g2MinRepos) {
        const stratum = stratumForFramework(fw, strata.strata);
        out.push(
          `Scan more ${fw} repositories: ${n} found, ${t.g2MinRepos - n} more needed for G2` +
            (stratum ? ` (raise or re-query stratum ${stratum.name}).` : '.'),
        );
      }
    }
    if (stats.effective < t.g1MinEffective)
      out.push(
        `Grow the dataset: ${t.g1MinEffective - stats.effective} more success/partial rows needed for G1.`,
      );
    out.push(...strataGapRecommendations(strataSupply(stats, strata, manifest)));
    const mature = reposWithDeploymentAtLeast(stats, t.g3MinDeploymentScore);
    if (mature < t.g3MinRepos)
      out.push(
        `Only ${mature} repos have deployment_score ≥ ${t.g3MinDeploymentScore}: add production-grade repositories (high_maturity stratum).`,
      );
    const rare = stats.ruleRepos.sorted().filter(([, n]) => n < t.g4MinReposPerRule);
    if (rare.length)
      out.push(
        `${rare.length} rules are too rare to learn from (< ${t.g4MinReposPerRule} repos): ${rare
          .slice(0, 10)
          .map(([r, n]) => `${r} (${n})`)
          .join(', ')}${rare.length > 10 ? ', …' : ''}.`,
      );
    const contaminated = contaminatedRepos(stats, t.g5MinOthers);
    if (share(contaminated, stats.rows) > t.g5MaxShare)
      out.push(
        `${contaminated} repos are copies in large topology clusters: deduplicate (keep one per cluster) or weight them down.`,
      );
    const failed = stats.status.get('failed');
    if (share(failed, stats.rows) > t.g7MaxFailedShare) {
      const top = stats.failureReasons
        .sorted()
        .filter(([k]) => k.startsWith('failed:'))
        .slice(0, 3)
        .map(([k, n]) => `${k.slice(7)} (${n})`);
      out.push(`Failed share is high: investigate ${top.join(', ')} and retry transient failures.`);
    }
    const empty = stats.status.get('empty');
    if (share(empty, stats.rows) > t.g6MaxEmptyShare)
      out.push(`Empty share is high (${empty} rows): tighten discovery queries so they find agent code.`);
    const median = medianCoverage(stats);
    if (median !== null && median < t.g8MinMedianCoverage)
      out.push(
        `Median parse coverage ${median.toFixed(3)} is low: raise scan time/file budgets or fix parser errors.`,
      );
    if (stats.corruptCount || stats.invalidCount || stats.duplicateCount)
      out.push(
        `Clean the results file: ${stats.corruptCount} corrupt lines, ${stats.invalidCount} contract-invalid rows, ` +
          `${stats.duplicateCount} duplicate rows (see Volume).`,
      );
    if (split) {
      const small = split.strata.filter((s) => s.flagged);
      if (small.length)
        out.push(
          `${small.length} split strata have fewer than ${t.splitMinTestPerStratum} test repos: ` +
            'evaluate them only in aggregate, or scan more of them.',
        );
    }
    if (out.length === 0) out.push('No action needed: every gate passes and no shortfall was found.');
    return { data: { recommendations: out }, markdown: out.map((r) => `- ${r}`).join('\n') };
  },
};
