import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanDirectory } from '../../src/scanner/scan.js';
import { writeTree } from './helpers.js';

/** What a user sees of one fired rule: its instances as `file:line`, and the agents it touches. */
export interface FiredRule {
  at: string[];
  agents: number;
}

/**
 * Scans a small repository written from `{path: content}` and returns the findings of the rules
 * whose id starts with `family` (`SEC-`, `OPS-`, `ARC-`): rule id → instances and blast radius.
 */
export async function findingsOf(
  tree: Record<string, string>,
  family: string,
): Promise<Record<string, FiredRule>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-rule-findings-'));
  try {
    writeTree(dir, tree);
    const report = await scanDirectory(dir);
    if (report.ping.scan_status !== 'success') throw new Error(`scan ${report.ping.scan_status}`);
    return Object.fromEntries(
      report.findings
        .filter((f) => f.rule.id.startsWith(family))
        .map((f) => [
          f.rule.id,
          { at: f.instances.map((s) => `${s.file}:${s.line}`), agents: f.blastRadius },
        ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The opening lines of a CrewAI and of a LangChain module. */
export const CREW_HEAD = 'from crewai import Agent, Crew, Task\n';
export const LC_HEAD =
  'from langchain_openai import ChatOpenAI\nfrom langchain.agents import AgentExecutor\n';
