import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fileExists } from '../core/jsonl.js';
import { projectRoot } from '../core/project-root.js';
import { displayPath } from './display-path.js';
import { AuditConfigError } from './errors.js';

/** Gate thresholds and split settings; defaults are those of issue #7. */
export interface AuditThresholds {
  g1MinEffective: number;
  g2Frameworks: string[];
  g2MinRepos: number;
  g3MinDeploymentScore: number;
  g3MinRepos: number;
  g4MinRules: number;
  g4MinReposPerRule: number;
  g5MinOthers: number;
  g5MaxShare: number;
  g6MaxEmptyShare: number;
  g7MaxFailedShare: number;
  g8MinMedianCoverage: number;
  splitTestShare: number;
  splitMinTestPerStratum: number;
}

export const DEFAULT_THRESHOLDS: Readonly<AuditThresholds> = Object.freeze({
  g1MinEffective: 40_000,
  g2Frameworks: ['LangChain', 'CrewAI', 'LangGraph', 'AutoGen', 'LlamaIndex'],
  g2MinRepos: 1_000,
  g3MinDeploymentScore: 3,
  g3MinRepos: 2_000,
  g4MinRules: 15,
  g4MinReposPerRule: 100,
  // Clusters of 10+ rows, as the reference's audit.py counts them (its README says "10+ others", its code `>= 10`).
  g5MinOthers: 9,
  g5MaxShare: 0.05,
  g6MaxEmptyShare: 0.2,
  g7MaxFailedShare: 0.1,
  g8MinMedianCoverage: 0.8,
  splitTestShare: 0.2,
  splitMinTestPerStratum: 40,
});

export { AuditConfigError };

/** YAML path → field, with the kind of value it must hold. */
const FIELDS: Array<[string[], keyof AuditThresholds, 'count' | 'share' | 'list']> = [
  [['gates', 'G1_volume', 'min_effective_rows'], 'g1MinEffective', 'count'],
  [['gates', 'G2_frameworks', 'frameworks'], 'g2Frameworks', 'list'],
  [['gates', 'G2_frameworks', 'min_repos_each'], 'g2MinRepos', 'count'],
  [['gates', 'G3_maturity', 'min_deployment_score'], 'g3MinDeploymentScore', 'count'],
  [['gates', 'G3_maturity', 'min_repos'], 'g3MinRepos', 'count'],
  [['gates', 'G4_rules', 'min_rules'], 'g4MinRules', 'count'],
  [['gates', 'G4_rules', 'min_repos_per_rule'], 'g4MinReposPerRule', 'count'],
  [['gates', 'G5_duplicates', 'min_others'], 'g5MinOthers', 'count'],
  [['gates', 'G5_duplicates', 'max_share'], 'g5MaxShare', 'share'],
  [['gates', 'G6_empty', 'max_share'], 'g6MaxEmptyShare', 'share'],
  [['gates', 'G7_failed', 'max_share'], 'g7MaxFailedShare', 'share'],
  [['gates', 'G8_coverage', 'min_median_ratio'], 'g8MinMedianCoverage', 'share'],
  [['split', 'test_share'], 'splitTestShare', 'share'],
  [['split', 'min_test_per_stratum'], 'splitMinTestPerStratum', 'count'],
];

function at(doc: unknown, keys: string[]): unknown {
  let cur = doc;
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Parses a gates YAML document; every key optional, every present key checked. */
export function parseThresholds(text: string, source: string): AuditThresholds {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AuditConfigError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const out: AuditThresholds = { ...DEFAULT_THRESHOLDS, g2Frameworks: [...DEFAULT_THRESHOLDS.g2Frameworks] };
  for (const [keys, field, kind] of FIELDS) {
    const v = at(doc, keys);
    if (v === undefined || v === null) continue;
    const where = `${source}: ${keys.join('.')}`;
    if (kind === 'list') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
        throw new AuditConfigError(`${where} must be a list of framework names`);
      (out[field] as string[]) = v as string[];
    } else if (kind === 'count') {
      if (!Number.isInteger(v) || (v as number) < 0)
        throw new AuditConfigError(`${where} must be a non-negative integer, got ${JSON.stringify(v)}`);
      (out[field] as number) = v as number;
    } else {
      if (typeof v !== 'number' || v < 0 || v > 1)
        throw new AuditConfigError(`${where} must be a number between 0 and 1, got ${JSON.stringify(v)}`);
      (out[field] as number) = v;
    }
  }
  return out;
}

export const DEFAULT_GATES_FILE = 'config/audit-gates.yaml';

/** Reads the gates file (explicit path, else config/audit-gates.yaml, else built-in defaults). */
export async function loadThresholds(
  file?: string,
): Promise<{ thresholds: AuditThresholds; source: string }> {
  const resolved = file ?? path.join(projectRoot(), DEFAULT_GATES_FILE);
  if (!file && !(await fileExists(resolved)))
    return { thresholds: { ...DEFAULT_THRESHOLDS }, source: 'built-in defaults' };
  let text: string;
  try {
    text = await readFile(resolved, 'utf8');
  } catch (err) {
    throw new AuditConfigError(`cannot read gates file ${resolved}: ${(err as Error).message}`);
  }
  return { thresholds: parseThresholds(text, resolved), source: displayPath(resolved) };
}
