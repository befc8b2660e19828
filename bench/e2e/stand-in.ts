import { randomBytes } from 'node:crypto';
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cloner } from '../../src/workers/clone/cloner.js';
import type { ScannerRunner } from '../../src/workers/scan/scanner-runner.js';

/**
 * The scale benchmark's fast honest stand-ins, run inside the worker process so that 50,000
 * jobs measure the pipeline rather than 50,000 node start-ups:
 *  - the cloner copies the checked-out tree behind a `file://` URL into the job's directory
 *    (the repositories are reused across rows; the copy is real disk I/O per job);
 *  - the scanner walks that copy, reads every Python file, and emits a contract-valid ping
 *    whose counts come from what it read.
 */
/**
 * `count` small checked-out agent repositories under `root` (t0, t1, …: 1–5 CrewAI modules, a
 * requirements file, a README) for the copy cloner to read through file:// URLs; returns their paths.
 */
export function writeStandInTemplates(root: string, count: number): string[] {
  const dirs: string[] = [];
  for (let t = 0; t < count; t++) {
    const dir = path.join(root, `t${t}`);
    mkdirSync(path.join(dir, 'app'), { recursive: true });
    writeFileSync(path.join(dir, 'requirements.txt'), 'crewai==0.80\n');
    for (let m = 0; m < 1 + (t % 5); m++)
      writeFileSync(
        path.join(dir, 'app', `agent_${m}.py`),
        `from crewai import Agent, Crew\na${m} = Agent(role="r${t}")\nc${m} = Crew(agents=[a${m}])\n`,
      );
    writeFileSync(path.join(dir, 'README.md'), `# template ${t}\n`);
    dirs.push(dir);
  }
  return dirs;
}

export interface StandInTotals {
  jobs: number;
  cloneMs: number;
  scanMs: number;
}

export const totals: StandInTotals = { jobs: 0, cloneMs: 0, scanMs: 0 };

export const copyCloner: Cloner = {
  async clone({ url, dir }) {
    const started = performance.now();
    try {
      await fs.cp(fileURLToPath(url), path.join(dir, 'repo'), { recursive: true });
      const durationMs = Math.round(performance.now() - started);
      totals.cloneMs += performance.now() - started;
      return { ok: true, durationMs };
    } catch (err) {
      return {
        ok: false,
        durationMs: Math.round(performance.now() - started),
        code: 'clone_404',
        transient: false,
        detail: `stand-in clone: ${(err as Error).message}`,
      };
    }
  },
};

async function walk(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(p, out);
    else out.push(p);
  }
  return out;
}

export const readingScanner: ScannerRunner = {
  description: 'in-process stand-in (reads the clone)',
  async scan({ dir, repoFullName, repoUrl }) {
    const started = performance.now();
    const files = await walk(dir);
    const py = files.filter((f) => f.endsWith('.py'));
    let agentCalls = 0;
    for (const f of py) agentCalls += ((await fs.readFile(f, 'utf8')).match(/\bAgent\(/g) ?? []).length;
    const durationMs = Math.round(performance.now() - started);
    totals.scanMs += performance.now() - started;
    totals.jobs++;
    const ping = {
      scan_id: randomBytes(8).toString('hex'),
      timestamp: new Date().toISOString(),
      scanner_version: `stand-in-0.1 (agent calls seen: ${agentCalls})`,
      repo_hash: 'standin',
      schema_id: 5,
      schema_version: '0.3.2',
      repo_full_name: repoFullName,
      repo_url: repoUrl,
      selection_stratum: '',
      scan_status: 'empty',
      scan_duration_ms: durationMs,
      files_scanned: py.length,
      files_total: files.length,
      parser_errors: 0,
      failure_reason: 'no_agents',
      risk_score: 0,
      finding_rule_count: 0,
      agent_count: 0,
      crew_count: 0,
      frameworks: [],
    };
    return { ok: true, exitCode: 0, durationMs, stdout: JSON.stringify(ping) };
  },
};
