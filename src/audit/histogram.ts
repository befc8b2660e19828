/** ASCII bars and markdown tables for the report. */

export function bar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return '';
  const n = Math.max(1, Math.round((value / max) * width));
  return '█'.repeat(n);
}

/** A fenced block of labelled bars: `label  count  ████`. */
export function barChart(
  rows: ReadonlyArray<{ label: string; value: number; note?: string }>,
  width = 30,
): string {
  const max = Math.max(0, ...rows.map((r) => r.value));
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  const valueWidth = Math.max(0, ...rows.map((r) => String(r.value).length));
  const lines = rows.map(
    (r) =>
      `${r.label.padEnd(labelWidth)}  ${String(r.value).padStart(valueWidth)}  ${bar(r.value, max, width)}${r.note ? `  ${r.note}` : ''}`,
  );
  return ['```', ...lines, '```'].join('\n');
}

export function table(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function fmtNumber(n: number | null, digits = 2): string {
  if (n === null || Number.isNaN(n)) return 'n/a';
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}
