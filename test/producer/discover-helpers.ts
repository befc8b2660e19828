import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { type DiscoverOptions, runDiscover } from '../../src/producer/discover/run-discover.js';
import type { FakeGitHub } from '../support/fake-github/index.js';

/** Test tokens look like real ones so the pattern scrubbing is exercised too. */
export const TOKEN_A = 'ghp_TESTtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
export const TOKEN_B = 'ghp_TESTtokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
export const TOKEN_C = 'ghp_TESTtokenCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';

/** Environment for discovery against the fake: no spacing between calls, waits scaled down 500×. */
export function fakeEnv(fake: FakeGitHub, tokens: string[] = [TOKEN_A]): Record<string, string> {
  return {
    ...(tokens.length === 1 ? { GITHUB_TOKEN: tokens[0]! } : { GITHUB_TOKENS: tokens.join(',') }),
    GITHUB_API_URL: fake.url,
    STRATUM_GITHUB_MIN_INTERVAL_MS: '0',
    STRATUM_GITHUB_WAIT_SCALE_MS: '2',
    STRATUM_LOG_LEVEL: 'info',
  };
}

export interface InProcessRun {
  logText: string;
  printed: string;
  outcome: Awaited<ReturnType<typeof runDiscover>>;
}

export async function discoverInProcess(
  env: Record<string, string>,
  dataDir: string,
  options: Partial<DiscoverOptions> & { strataFile: string },
): Promise<InProcessRun> {
  const config = loadConfig(env, { dataDir });
  const secrets = [...config.githubTokens, ...(config.githubToken ? [config.githubToken] : [])];
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += String(chunk);
      cb();
    },
  });
  const logger = createLogger('discover', { level: 'info', secrets, destination: sink, pretty: false });
  let printed = '';
  const outcome = await runDiscover(
    { resume: false, fresh: false, dryRun: false, includeArchived: false, ...options },
    { config, dataDir, logger, print: (t) => (printed += `${t}\n`), tty: false },
  );
  return { logText, printed, outcome };
}

export async function writeStrata(dir: string, name: string, yaml: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, yaml);
  return file;
}

export interface ManifestRow {
  repo_full_name: string;
  is_fork: boolean;
  fork_parent: string | null;
  github_stars: number;
  discovery_query: string;
  selection_stratum: string;
  matched_strata: string[];
  discovered_at: string;
  reserve?: boolean;
  reserve_rank?: number;
  dependency_evidence?: { files: string[]; frameworks: string[] };
  [key: string]: unknown;
}

export async function readManifest(file: string): Promise<ManifestRow[]> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ManifestRow);
}

/** Every file under a directory, recursively, as text. */
export async function allFileText(dir: string): Promise<string> {
  let out = '';
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}
