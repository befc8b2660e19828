import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { failed, manifestRow, ping, writeJsonl } from './fixtures.js';

/**
 * The hand-made 7-row dataset most audit tests share; every expected number in the tests is
 * worked out by hand from these rows (see the comments).
 */
export const ROWS = [
  ping({
    repo: 'a/r1',
    risk: 5,
    rules: { R1: -10, R2: -4 },
    deploy: 3,
    topology: 'T1',
    filesScanned: 8,
    filesTotal: 10,
  }),
  ping({
    repo: 'a/r2',
    frameworks: ['LangChain', 'CrewAI'],
    risk: 15,
    rules: { R1: -20 },
    deploy: 5,
    topology: 'T1',
    stratum: 'crewai',
  }),
  ping({
    repo: 'a/r3',
    status: 'partial',
    frameworks: ['CrewAI'],
    risk: 95,
    rules: { R1: -30, R3: -1 },
    topology: 'T2',
    filesScanned: 4,
    filesTotal: 10,
    stratum: 'crewai',
  }),
  ping({
    repo: 'a/r4',
    frameworks: ['LangGraph'],
    risk: 100,
    deploy: 1,
    topology: 'T3',
    filesScanned: 0,
    filesTotal: 0,
    stratum: 'langgraph',
  }),
  failed('a/r5', 'failed', 'clone_404'),
  failed('a/r6', 'empty', 'no_agents'),
  failed('a/r7', 'empty', 'no_python', 'mystery'),
];

export const MANIFEST = [
  manifestRow('a/r1', { python: 300, other: 100 }),
  manifestRow('a/r2', { python: 100, forkParent: 'a/r1', stratum: 'crewai' }),
  manifestRow('a/r3', { python: 100, stratum: 'crewai' }),
  manifestRow('a/r4', { python: 100, stratum: 'langgraph' }),
  manifestRow('a/r5', { python: 100 }),
  manifestRow('a/r6', { python: 100 }),
  manifestRow('a/r7', { other: 50, stratum: 'mystery' }),
];

export const STRATA_YAML = `strata:
  - name: langchain_active
    target: 10
  - name: crewai
    target: 4
  - name: langgraph
    target: 2
`;

export function writeDataset(dir: string): { input: string; manifest: string; strataFile: string } {
  const strataFile = path.join(dir, 'strata.yaml');
  writeFileSync(strataFile, STRATA_YAML);
  return {
    input: writeJsonl(dir, 'scan_results.jsonl', ROWS),
    manifest: writeJsonl(dir, 'repo_manifest.jsonl', MANIFEST),
    strataFile,
  };
}
