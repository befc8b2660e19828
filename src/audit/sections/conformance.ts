import { pct } from '../counts.js';
import { table } from '../histogram.js';
import type { Section } from './types.js';

/** The full ping contract, field by field and invariant by invariant: how many rows deviate, and where. */
export const conformanceSection: Section = {
  id: 'conformance',
  title: 'Conformance',
  build({ stats, strict }) {
    const parsed = stats.lines - stats.corruptCount;
    const deviations = stats.conformance.sorted().map(([key, c]) => ({
      deviation: key,
      rows: c.rows,
      share_of_rows: parsed ? c.rows / parsed : 0,
      example_lines: c.lines,
    }));
    const md = [
      strict
        ? `--strict: only rows that pass the full contract (schema/ping.schema.json and its invariants) are audited; ${stats.invalidCount} rows were excluded.`
        : `Rows are audited when they pass the reference pipeline's acceptance rules and the field types the audit reads ` +
          `(see Volume); the full contract is reported here and excludes nothing (--strict makes it exclude). ` +
          `${stats.nonConforming} audited rows break it.`,
      '',
      deviations.length
        ? `Deviations from the full contract among the ${parsed} parsed rows (a row counts once per field or invariant; first lines listed):`
        : `All ${parsed} parsed rows conform to the full contract.`,
    ];
    if (deviations.length)
      md.push(
        '',
        table(
          ['field or invariant', 'rows', '% of rows', 'example lines'],
          deviations.map((d) => [d.deviation, d.rows, pct(d.rows, parsed), d.example_lines.join(', ')]),
        ),
      );
    return {
      data: {
        strict,
        parsed_rows: parsed,
        audited_not_conforming: stats.nonConforming,
        deviations,
      },
      markdown: md.join('\n'),
    };
  },
};
