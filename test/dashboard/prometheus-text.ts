/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough to prove
 * that /metrics parses: every line is a HELP, a TYPE or a sample of a declared family, label
 * values are quoted and escaped, values are numbers.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Record<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)( \\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(raw: string, line: number): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') return Number.NaN;
  const n = Number(raw);
  if (raw.trim() === '' || Number.isNaN(n)) throw new Error(`line ${line}: value "${raw}" is not a number`);
  return n;
}

function familyOf(name: string, types: Record<string, string>): string | undefined {
  if (types[name]) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (base && (types[base] === 'histogram' || types[base] === 'summary')) return base;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Exposition {
  const types: Record<string, string> = {};
  const samples: Sample[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!m) return; // other comments are allowed
      if (!new RegExp(`^${NAME}$`).test(m[2]!)) throw new Error(`line ${line}: bad metric name "${m[2]}"`);
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3] ?? '')) throw new Error(`line ${line}: unknown type "${m[3]}"`);
        types[m[2]!] = m[3]!;
      }
      return;
    }
    const m = SAMPLE.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
    const name = m[1]!;
    if (!familyOf(name, types)) throw new Error(`line ${line}: sample ${name} has no TYPE`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const start = LABEL.lastIndex;
      const l = LABEL.exec(body);
      if (!l || l.index !== start) throw new Error(`line ${line}: bad labels {${body}}`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      if (l[3] === '') break;
    }
    samples.push({ name, labels, value: parseValue(m[4]!, line) });
  });
  return { types, samples };
}

export function sampleValue(
  e: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}
