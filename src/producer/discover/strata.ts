import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { EVIDENCE_FRAMEWORKS } from './dependency-evidence.js';
import { type ParsedQuery, parseQuery } from './query.js';

/** The strata config file (`config/strata.yaml`): what discovery searches for, as data. */
export interface Stratum {
  name: string;
  target: number;
  queries: string[];
  parsedQueries: ParsedQuery[];
  /** Reserve rows drawn beyond the target, as a share of it (0.6 → 60 % more rows in reserve). */
  reserveFactor: number;
  /** Frameworks whose dependency-file evidence the sampler prefers for this stratum (`any` = every one). */
  evidence: string[];
}

/**
 * The reserve when the strata file names none: enough for a yield of 62.5 % (1 / 1.6) of
 * success + partial rows, below the 70 % that gates G6 (≤ 20 % empty) and G7 (≤ 10 % failed)
 * allow together and the demo's 71 % (docs/backfill.md).
 */
export const DEFAULT_RESERVE_FACTOR = 0.6;

export interface StrataConfig {
  file: string;
  /** sha256 of the file's bytes: a resumed run must use the same file. */
  sha256: string;
  seed: string;
  includeForks: boolean;
  strata: Stratum[];
}

export interface StrataProblem {
  /** `file:line` where known. */
  where: string;
  /** The entry, e.g. `strata[2] "crewai"`, or `file` for top-level problems. */
  entry: string;
  problem: string;
}

export type StrataLoad = { ok: true; config: StrataConfig } | { ok: false; problems: StrataProblem[] };

/** The shipped `config/strata.yaml` (dist/src/producer/discover → 4 up; src/producer/discover → 3 up). */
export function defaultStrataFile(): string {
  const candidates = ['../../../../config/strata.yaml', '../../../config/strata.yaml'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

const NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const TOP_KEYS = new Set(['seed', 'include_forks', 'reserve_factor', 'strata']);
const ENTRY_KEYS = new Set(['name', 'target', 'queries', 'reserve_factor', 'evidence']);
const EVIDENCE_NAMES = new Set(['any', ...EVIDENCE_FRAMEWORKS]);

function isReserveFactor(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 10;
}

export function formatStrataProblems(problems: readonly StrataProblem[]): string {
  return problems.map((p) => `${p.where}: ${p.entry}: ${p.problem}`).join('\n');
}

export async function loadStrata(file: string): Promise<StrataLoad> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return {
      ok: false,
      problems: [{ where: file, entry: 'file', problem: `cannot read strata file: ${reason}` }],
    };
  }
  return parseStrata(file, bytes);
}

export function parseStrata(file: string, bytes: Buffer): StrataLoad {
  const lines = new LineCounter();
  const doc = parseDocument(bytes.toString('utf8'), { lineCounter: lines, prettyErrors: false });
  const at = (node: unknown): string => {
    const range = (node as Node | undefined)?.range;
    return range ? `${file}:${lines.linePos(range[0]).line}` : file;
  };
  const problems: StrataProblem[] = [];
  for (const err of doc.errors) {
    problems.push({
      where: `${file}:${lines.linePos(err.pos[0]).line}`,
      entry: 'file',
      problem: `invalid YAML: ${err.message.split('\n')[0]}`,
    });
  }
  if (problems.length) return { ok: false, problems };
  const root = doc.contents;
  if (!isMap(root)) {
    return {
      ok: false,
      problems: [{ where: at(root), entry: 'file', problem: 'expected a mapping with a "strata:" list' }],
    };
  }
  for (const pair of root.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
    if (!TOP_KEYS.has(key))
      problems.push({
        where: at(pair.key),
        entry: 'file',
        problem: `unknown key "${key}" (expected seed, include_forks, reserve_factor, strata)`,
      });
  }
  const seedValue = doc.get('seed');
  if (seedValue !== undefined && typeof seedValue !== 'string' && !Number.isInteger(seedValue))
    problems.push({
      where: at(doc.get('seed', true)),
      entry: 'seed',
      problem: 'must be an integer or a string',
    });
  const includeForks = doc.get('include_forks') ?? true;
  if (typeof includeForks !== 'boolean')
    problems.push({
      where: at(doc.get('include_forks', true)),
      entry: 'include_forks',
      problem: 'must be true or false',
    });
  const defaultReserve = doc.get('reserve_factor') ?? DEFAULT_RESERVE_FACTOR;
  if (!isReserveFactor(defaultReserve))
    problems.push({
      where: at(doc.get('reserve_factor', true)),
      entry: 'reserve_factor',
      problem: 'must be a number from 0 to 10 (reserve rows as a share of the target)',
    });

  const list = doc.get('strata', true);
  const strata: Stratum[] = [];
  if (!isSeq(list) || list.items.length === 0) {
    problems.push({
      where: at(list ?? root),
      entry: 'strata',
      problem: 'must be a non-empty list of strata',
    });
    return { ok: false, problems };
  }
  const names = new Set<string>();
  list.items.forEach((item, index) => {
    let entry = `strata[${index}]`;
    if (!isMap(item)) {
      problems.push({ where: at(item), entry, problem: 'must be a mapping with name, target, queries' });
      return;
    }
    const name = item.get('name');
    if (typeof name === 'string') entry = `strata[${index}] "${name}"`;
    for (const pair of item.items) {
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      if (!ENTRY_KEYS.has(key))
        problems.push({
          where: at(pair.key),
          entry,
          problem: `unknown key "${key}" (expected name, target, queries, reserve_factor, evidence)`,
        });
    }
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      problems.push({
        where: at(item.get('name', true) ?? item),
        entry,
        problem: 'name must match [a-z][a-z0-9_]*',
      });
    } else if (names.has(name)) {
      problems.push({
        where: at(item.get('name', true)),
        entry,
        problem: `duplicate stratum name "${name}"`,
      });
    } else {
      names.add(name);
    }
    const target = item.get('target');
    if (!Number.isInteger(target) || (target as number) <= 0) {
      problems.push({
        where: at(item.get('target', true) ?? item),
        entry,
        problem: `target must be a positive integer, got ${JSON.stringify(target ?? null)}`,
      });
    }
    const queries = item.get('queries', true);
    const texts: string[] = [];
    const parsed: ParsedQuery[] = [];
    if (!isSeq(queries) || queries.items.length === 0) {
      problems.push({
        where: at(queries ?? item),
        entry,
        problem: 'queries must be a non-empty list of search strings',
      });
    } else {
      queries.items.forEach((q, qi) => {
        const value = (q as { value?: unknown })?.value;
        if (typeof value !== 'string') {
          problems.push({ where: at(q), entry: `${entry} queries[${qi}]`, problem: 'must be a string' });
          return;
        }
        const result = parseQuery(value);
        if (!result.ok) {
          problems.push({ where: at(q), entry: `${entry} queries[${qi}] "${value}"`, problem: result.error });
          return;
        }
        if (texts.includes(value.trim())) {
          problems.push({
            where: at(q),
            entry: `${entry} queries[${qi}]`,
            problem: `duplicate query "${value}"`,
          });
          return;
        }
        texts.push(value.trim());
        parsed.push(result.query);
      });
    }
    const reserveFactor = item.get('reserve_factor') ?? defaultReserve;
    if (!isReserveFactor(reserveFactor))
      problems.push({
        where: at(item.get('reserve_factor', true) ?? item),
        entry,
        problem: 'reserve_factor must be a number from 0 to 10',
      });
    const evidenceNode = item.get('evidence', true);
    const evidence: string[] = [];
    if (evidenceNode !== undefined) {
      const list = isSeq(evidenceNode)
        ? evidenceNode.items.map((i) => (i as { value?: unknown })?.value)
        : null;
      const bad = list?.find((v) => typeof v !== 'string' || !EVIDENCE_NAMES.has(v));
      if (!list || bad !== undefined)
        problems.push({
          where: at(evidenceNode),
          entry,
          problem: `evidence must be a list of: ${[...EVIDENCE_NAMES].join(', ')}${bad !== undefined ? ` (got ${JSON.stringify(bad)})` : ''}`,
        });
      else evidence.push(...(list as string[]));
    }
    if (typeof name === 'string' && Number.isInteger(target)) {
      strata.push({
        name,
        target: target as number,
        queries: texts,
        parsedQueries: parsed,
        reserveFactor: isReserveFactor(reserveFactor) ? reserveFactor : 0,
        evidence: evidence.length ? evidence : ['any'],
      });
    }
  });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: {
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      seed: String(seedValue ?? 'stratum'),
      includeForks: includeForks as boolean,
      strata,
    },
  };
}
