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
    let sum = 0;
    stats.risk.forEach((c, s) => {
      total += c;
      sum += c * s;
    });
    const median = medianOfCounts([...stats.risk].map((c, s) => [s, c] as [number, number]));
    const mean = total ? sum / total : null;
    const md = [
      `risk_score of the ${total} success + partial rows, in ten buckets. Mean ${fmtNumber(mean)}, median ${fmtNumber(median)}.`,
      '',
      barChart(buckets.map((b) => ({ label: b.range, value: b.repos }))),
    ];
    return { data: { repos: total, mean, median, buckets }, markdown: md.join('\n') };
  },
};
