import { pct } from '../counts.js';
import { medianCoverage } from '../gates.js';
import { barChart, fmtNumber } from '../histogram.js';
import type { Section } from './types.js';

export const coverageSection: Section = {
  id: 'coverage',
  title: 'Coverage',
  build({ stats, manifest }) {
    const buckets = Array.from({ length: 10 }, (_, b) => {
      const lo = b * 100;
      const hi = b === 9 ? 1000 : lo + 99;
      let n = 0;
      for (let i = lo; i <= hi; i++) n += stats.coverage[i] ?? 0;
      return {
        range: `${(lo / 1000).toFixed(1)}–${b === 9 ? '1.0' : ((hi + 1) / 1000).toFixed(1)}`,
        repos: n,
      };
    });
    const median = medianCoverage(stats);
    const python = manifest
      ? {
          python_byte_share: manifest.totalBytes ? manifest.pythonBytes / manifest.totalBytes : 0,
          python_primary_share: manifest.rows ? manifest.pythonPrimary / manifest.rows : 0,
          repos_without_python: manifest.noPython,
          repos_language_bytes_unknown: manifest.languageBytesUnknown,
          manifest_rows: manifest.rows,
        }
      : null;
    const md = [
      `files_scanned / files_total of ${stats.coverageRows} success + partial repositories with files_total > 0 ` +
        `(${stats.filesTotalZero} have files_total = 0). Median **${fmtNumber(median, 3)}**; ` +
        `${stats.coverageUnderHalf} (${pct(stats.coverageUnderHalf, stats.coverageRows)}) under 50%.`,
      '',
      barChart(buckets.map((b) => ({ label: b.range, value: b.repos }))),
      '',
      python
        ? `Python in the manifest (${python.manifest_rows} repos): ${(python.python_byte_share * 100).toFixed(1)}% of language bytes; ` +
          `primary language Python in ${(python.python_primary_share * 100).toFixed(1)}% of repos; ${python.repos_without_python} repos without Python bytes` +
          (python.repos_language_bytes_unknown
            ? `; language bytes unknown for ${python.repos_language_bytes_unknown} repos (left out of the byte share).`
            : '.')
        : '_No manifest: Python share unknown._',
    ];
    return {
      data: {
        repos: stats.coverageRows,
        files_total_zero: stats.filesTotalZero,
        median_ratio: median,
        under_half: stats.coverageUnderHalf,
        under_half_share: stats.coverageRows ? stats.coverageUnderHalf / stats.coverageRows : 0,
        buckets,
        python,
      },
      markdown: md.join('\n'),
    };
  },
};
