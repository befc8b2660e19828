import { medianOfCounts } from '../counts.js';
import { barChart, fmtNumber } from '../histogram.js';
import type { Section } from './types.js';

export const scoresSection: Section = {
  id: 'scores',
  title: 'Risk scores',
  build({ stats }) {
    const buckets = Array.from({ length: 10 }, (_, b) => {
      const lo = b * 10;
      const hi = b === 9 ? 100 : lo + 9;
      let n = 0;
      for (let s = lo; s <= hi; s++) n += stats.risk[s] ?? 0;
      return { range: `${lo}–${hi}`, repos: n };
    });
    let total = 0;
    for (const c of stats.risk) total += c;
    const median = medianOfCounts([...stats.risk].map((c, s) => [s, c] as [number, number]));
    const mean = total ? stats.riskSum / total : null;
    const unknown = stats.unknown.risk;
    const md = [
      `risk_score of the ${total} success + partial rows that have one, in ten buckets (integer part). Mean ${fmtNumber(mean)}, median ${fmtNumber(median)}.` +
        (unknown ? ` ${unknown} rows have no risk_score (unknown, not counted).` : ''),
      '',
      barChart(buckets.map((b) => ({ label: b.range, value: b.repos }))),
    ];
    return { data: { repos: total, unknown, mean, median, buckets }, markdown: md.join('\n') };
  },
};
