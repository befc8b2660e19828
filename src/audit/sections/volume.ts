import { pct } from '../counts.js';
import { table } from '../histogram.js';
import type { Section } from './types.js';

const STATUSES = ['success', 'partial', 'empty', 'failed'] as const;

export const volumeSection: Section = {
  id: 'volume',
  title: 'Volume',
  build({ stats, manifest }) {
    const rows = stats.rows;
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, stats.status.get(s)]));
    const reasons = stats.failureReasons.sorted().map(([k, n]) => {
      const [status, reason] = k.split(':');
      return { status, reason, rows: n };
    });
    const data = {
      lines_read: stats.lines,
      rows,
      by_status: byStatus,
      effective_size: stats.effective,
      failure_reasons: reasons,
      corrupt_lines: stats.corruptCount,
      corrupt: stats.corrupt,
      invalid_rows: stats.invalidCount,
      invalid: stats.invalid,
      excluded_by_rule: Object.fromEntries(stats.excludedBy.sorted()),
      accepted_not_conforming: stats.nonConforming,
      duplicate_rows: stats.duplicateCount,
      duplicates: stats.duplicates,
      manifest_rows: manifest?.rows ?? null,
      manifest_invalid_rows: manifest?.invalidCount ?? null,
      manifest_invalid: manifest?.invalidRows ?? [],
      manifest_duplicate_rows: manifest?.duplicateRows ?? null,
      manifest_repos_without_row: manifest ? stats.manifestMissing : null,
      rows_not_in_manifest: manifest ? stats.notInManifestCount : null,
    };
    const md: string[] = [
      table(
        ['status', 'rows', 'share'],
        [
          ...STATUSES.map((s) => [s, byStatus[s] ?? 0, pct(byStatus[s] ?? 0, rows)]),
          ['**total**', rows, '100.0%'],
        ],
      ),
      '',
      `**Effective size** (success + partial): **${stats.effective}** rows.`,
      '',
      `Lines read: ${stats.lines}; accepted rows: ${rows} (${stats.nonConforming} of them break the full contract: see Conformance); ` +
        `corrupt lines: ${stats.corruptCount}; rows not audited: ${stats.invalidCount}; duplicate repository rows: ${stats.duplicateCount}.`,
    ];
    if (manifest)
      md.push(
        '',
        `Manifest: ${manifest.rows} repositories; ${stats.manifestMissing} have no row in the results; ` +
          `${stats.notInManifestCount} result rows are not in the manifest; ` +
          `${manifest.invalidCount} manifest lines are unreadable or invalid and ${manifest.duplicateRows} repeat a repository (ignored).`,
      );
    if (reasons.length)
      md.push(
        '',
        table(
          ['status', 'failure_reason', 'rows'],
          reasons.map((r) => [r.status ?? '', r.reason ?? '', r.rows]),
        ),
      );
    const listing = (
      title: string,
      items: ReadonlyArray<{ line: number; repo?: string; error: string }>,
      count: number,
    ) => {
      if (count === 0) return;
      md.push(
        '',
        `**${title}** (${count}${count > items.length ? `, first ${items.length} listed` : ''}):`,
        '',
      );
      for (const i of items) md.push(`- line ${i.line}${i.repo ? ` (${i.repo})` : ''}: ${i.error}`);
    };
    listing('Corrupt lines', stats.corrupt, stats.corruptCount);
    if (stats.invalidCount)
      md.push(
        '',
        table(
          ['rule a row breaks (not audited)', 'rows'],
          stats.excludedBy.sorted().map(([rule, n]) => [rule, n]),
        ),
      );
    listing('Rows not audited (excluded from every statistic)', stats.invalid, stats.invalidCount);
    listing(
      'Duplicate rows (only the first row of a repository counts)',
      stats.duplicates,
      stats.duplicateCount,
    );
    return { data, markdown: md.join('\n') };
  },
};
