import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fileExists } from '../core/jsonl.js';
import { projectRoot } from '../core/project-root.js';
import { AuditConfigError } from './audit-config.js';
import { displayPath } from './display-path.js';

export interface StratumTarget {
  name: string;
  target: number;
}

/** The discovery targets of issue #2, used when no strata file is available. */
export const BUILT_IN_STRATA: readonly StratumTarget[] = [
  { name: 'langchain_active', target: 8000 },
  { name: 'crewai', target: 6000 },
  { name: 'langgraph', target: 5000 },
  { name: 'autogen', target: 3000 },
  { name: 'llamaindex', target: 3000 },
  { name: 'agno_smolagents_other', target: 3000 },
  { name: 'high_maturity', target: 5000 },
  { name: 'discovery_pool', target: 10000 },
];

export interface StrataTargets {
  strata: StratumTarget[];
  /** The file read, or "built-in copy of the 8 discovery targets". */
  source: string;
}

/** Accepts a YAML list of {name, target} or a document with such a list under `strata`. */
export function parseStrata(text: string, source: string): StratumTarget[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AuditConfigError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { strata?: unknown } | null)?.strata;
  if (!Array.isArray(list)) throw new AuditConfigError(`${source}: expected a list of strata (name, target)`);
  return list.map((s, i) => {
    const { name, target } = (s ?? {}) as { name?: unknown; target?: unknown };
    if (typeof name !== 'string' || name === '')
      throw new AuditConfigError(`${source}: stratum ${i + 1} has no name`);
    if (!Number.isInteger(target) || (target as number) < 0)
      throw new AuditConfigError(`${source}: stratum ${name} needs a non-negative integer target`);
    return { name, target: target as number };
  });
}

export const DEFAULT_STRATA_FILE = 'config/strata.yaml';

export async function loadStrataTargets(file?: string): Promise<StrataTargets> {
  const resolved = file ?? path.join(projectRoot(), DEFAULT_STRATA_FILE);
  if (!file && !(await fileExists(resolved)))
    return {
      strata: BUILT_IN_STRATA.map((s) => ({ ...s })),
      source: 'built-in copy of the 8 discovery targets',
    };
  let text: string;
  try {
    text = await readFile(resolved, 'utf8');
  } catch (err) {
    throw new AuditConfigError(`cannot read strata file ${resolved}: ${(err as Error).message}`);
  }
  return { strata: parseStrata(text, resolved), source: displayPath(resolved) };
}

/** The stratum a framework's repositories were sampled for (LangChain → langchain_active, Agno → …other). */
export function stratumForFramework(
  framework: string,
  strata: readonly StratumTarget[],
): StratumTarget | undefined {
  const key = framework.toLowerCase().replace(/[^a-z0-9]/g, '');
  const direct = strata.find((s) =>
    s.name
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .startsWith(key),
  );
  if (direct) return direct;
  return strata.find((s) => s.name.toLowerCase().includes(key) || s.name.toLowerCase().endsWith('other'));
}
