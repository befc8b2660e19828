import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { PIPELINE_VERSION } from '../core/version.js';
import { type Analysis, analyze } from './analysis/analyze.js';
import { type AgentGraph, buildGraph } from './graph/build-graph.js';
import { type ResolvedScanOptions, resolveScanOptions, type ScanOptions } from './options.js';
import { loadPythonParser } from './parse/python-parser.js';
import { buildEmptyPing, buildFullPing, scanOutcome } from './ping/build-ping.js';
import type { PingObject } from './ping/ping-types.js';
import { readRepository } from './read-repository.js';
import { evaluateRules, type Finding } from './rules/evaluate.js';

/** The ping plus what the terminal summary shows (never part of the ping: it has file paths). */
export interface ScanReport {
  ping: PingObject;
  analysis: Analysis | null;
  graph: AgentGraph | null;
  findings: Finding[];
  options: ResolvedScanOptions;
}

export class ScanUsageError extends Error {
  override name = 'ScanUsageError';
}

/** Scans one checked-out repository directory. Never touches the network, never runs its code. */
export async function scanDirectory(dir: string, options: ScanOptions = {}): Promise<ScanReport> {
  const started = performance.now();
  const startedAt = Date.now();
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new ScanUsageError(`${dir}: not a readable directory (${(err as Error).message})`);
  }
  const opts = resolveScanOptions(path.basename(root), options);
  // Reading stops early enough to leave time for the analysis and the ping within the budget.
  const deadline = startedAt + opts.timeBudgetMs - Math.min(5000, Math.round(opts.timeBudgetMs * 0.15));
  const parser = await loadPythonParser();
  const inputs = await readRepository(root, parser, {
    maxFiles: opts.maxFiles,
    maxEntries: opts.maxEntries,
    maxFileBytes: opts.maxFileBytes,
    deadline,
  });
  const analysis = analyze(inputs);
  const outcome = scanOutcome(inputs.stats, analysis.frameworks.length, opts.maxFileBytes);
  const identity = () => ({
    options: opts,
    scannerVersion: PIPELINE_VERSION,
    durationMs: performance.now() - started,
    finishedAt: new Date(),
  });
  if (outcome.status === 'empty') {
    return {
      ping: buildEmptyPing(identity, inputs.stats, outcome),
      analysis,
      graph: null,
      findings: [],
      options: opts,
    };
  }
  const graph = buildGraph(analysis);
  const findings = evaluateRules({ analysis, graph });
  const ping = buildFullPing(identity, inputs.stats, outcome, analysis, graph, findings);
  return { ping, analysis, graph, findings, options: opts };
}
