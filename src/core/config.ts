import os from 'node:os';
import path from 'node:path';
import { escapeLine } from './terminal-text.js';

/**
 * Every setting the pipeline reads from the environment, declared once.
 * Nothing else in the code base reads `process.env`; commands call `loadConfig()` at start-up
 * and pass the frozen result down. A bad value fails fast with the setting's name.
 */
type Kind = 'string' | 'int' | 'bool' | 'list' | 'secret' | 'secret-list';

interface SettingSpec<K extends Kind = Kind> {
  env: string;
  kind: K;
  default: KindValue<K>;
  description: string;
  /** The only values a string setting may take. */
  choices?: readonly string[];
}

type KindValue<K extends Kind> = K extends 'int'
  ? number
  : K extends 'bool'
    ? boolean
    : K extends 'list' | 'secret-list'
      ? string[]
      : K extends 'secret'
        ? string | undefined
        : string;

function setting<K extends Kind>(
  env: string,
  kind: K,
  def: KindValue<K>,
  description: string,
  choices?: readonly string[],
): SettingSpec<K> {
  return { env, kind, default: def, description, ...(choices ? { choices } : {}) };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SETTINGS = {
  dataDir: setting('STRATUM_DATA_DIR', 'string', 'data', 'Directory of the pipeline data files.'),
  logLevel: setting(
    'STRATUM_LOG_LEVEL',
    'string',
    'info',
    'Log level: fatal, error, warn, info, debug (one line per job), trace or silent.',
    LOG_LEVELS,
  ),
  redisUrl: setting(
    'REDIS_URL',
    'secret',
    undefined,
    'Redis URL (redis:// or rediss://, password allowed). Default redis://127.0.0.1:6379.',
  ),
  queuePrefix: setting('STRATUM_QUEUE_PREFIX', 'string', 'stratum', 'Prefix of queue names and Redis keys.'),
  githubToken: setting('GITHUB_TOKEN', 'secret', undefined, 'GitHub token for discovery.'),
  githubTokens: setting('GITHUB_TOKENS', 'secret-list', [], 'Several GitHub tokens, comma separated.'),
  githubApiUrl: setting('GITHUB_API_URL', 'string', 'https://api.github.com', 'GitHub API base URL.'),
  githubMinIntervalMs: setting(
    'STRATUM_GITHUB_MIN_INTERVAL_MS',
    'int',
    2000,
    "Minimum spacing of one token's search calls (GitHub allows 30 searches/min).",
  ),
  githubWaitScaleMs: setting(
    'STRATUM_GITHUB_WAIT_SCALE_MS',
    'int',
    1000,
    'Milliseconds per second of a rate-limit or retry wait (1000 = real time; only tests lower it).',
  ),
  discoveryEvidence: setting(
    'STRATUM_DISCOVERY_EVIDENCE',
    'bool',
    true,
    "Read requirements.txt/pyproject.toml in discovery's search pages and prefer repositories whose files name their stratum's framework.",
  ),
  backfillPollMs: setting(
    'STRATUM_BACKFILL_POLL_MS',
    'int',
    1000,
    'How often the producer re-decides the back-fill of strata from the written rows (ms).',
  ),
  backfillMinObserved: setting(
    'STRATUM_BACKFILL_MIN_OBSERVED',
    'int',
    20,
    "Rows of a stratum written before its own yield drives the back-fill (before: the run's pooled yield).",
  ),
  allowLocalUrls: setting(
    'STRATUM_ALLOW_LOCAL_URLS',
    'bool',
    false,
    'Allow file:// and loopback clone URLs (tests, demo).',
  ),
  allowMovedHead: setting(
    'STRATUM_ALLOW_MOVED_HEAD',
    'bool',
    false,
    "When a manifest row's frozen head_sha is gone from the remote, scan the default branch head instead (recorded as commit_source moved_head) rather than failing as commit_missing.",
  ),
  scannerCommand: setting(
    'STRATUM_SCANNER',
    'string',
    '',
    'Scanner executable (same CLI as `stratum scan`). Empty = built-in scanner.',
  ),
  scannerVersion: setting(
    'STRATUM_SCANNER_VERSION',
    'string',
    '',
    'The scanner_version the scanner writes in its pings (the scanner part of a row identity). Empty = the built-in scanner version, or what `STRATUM_SCANNER --version` prints.',
  ),
  workDir: setting(
    'STRATUM_WORK_DIR',
    'string',
    path.join(os.tmpdir(), 'stratum-work'),
    'Directory for clones.',
  ),
  cloneTimeoutMs: setting('STRATUM_CLONE_TIMEOUT_MS', 'int', 300_000, 'Clone timeout (ms).'),
  scanTimeoutMs: setting('STRATUM_SCAN_TIMEOUT_MS', 'int', 300_000, 'Scanner timeout (ms).'),
  scannerWarmUpMs: setting(
    'STRATUM_SCANNER_WARM_UP_MS',
    'int',
    2000,
    "Built-in scanner: how long each warm scanner process scans a synthetic repository before taking jobs, so the first real one meets a warm JIT (0: none). Processes start at worker start-up and on recycling, off any repository's path.",
  ),
  maxRepoSizeKb: setting(
    'STRATUM_MAX_REPO_SIZE_KB',
    'int',
    1_000_000,
    'Repositories larger than this (manifest github_size_kb) fail as too_large.',
  ),
  maxAttempts: setting('STRATUM_MAX_ATTEMPTS', 'int', 3, 'Attempts for transient failures.'),
  lockDurationMs: setting(
    'STRATUM_LOCK_DURATION_MS',
    'int',
    30_000,
    'BullMQ job lock (ms): a worker that dies loses its jobs after about this long.',
  ),
  stalledIntervalMs: setting(
    'STRATUM_STALLED_INTERVAL_MS',
    'int',
    30_000,
    'How often workers look for jobs of dead workers (ms).',
  ),
  retryBackoffMs: setting(
    'STRATUM_RETRY_BACKOFF_MS',
    'int',
    10_000,
    'First retry delay of a transient failure (ms); doubles each attempt.',
  ),
  shutdownGraceMs: setting(
    'STRATUM_SHUTDOWN_GRACE_MS',
    'int',
    25_000,
    'On SIGTERM/SIGINT, running jobs get this long to finish before they are released (ms).',
  ),
  scanMaxOutputBytes: setting(
    'STRATUM_SCAN_MAX_OUTPUT_BYTES',
    'int',
    16 * 1024 * 1024,
    'Scanner stdout beyond this many bytes kills the scanner (failed/invalid_json).',
  ),
  leanClone: setting(
    'STRATUM_LEAN_CLONE',
    'bool',
    true,
    'Partial clone (blob:none) + sparse checkout of the scanner patterns; 0 = plain shallow clone.',
  ),
  sparsePatterns: setting(
    'STRATUM_SPARSE_PATTERNS',
    'list',
    [],
    'Sparse-checkout patterns (gitignore syntax, comma separated). Empty = the built-in scanner set.',
  ),
  writerPollMs: setting(
    'STRATUM_WRITER_POLL_MS',
    'int',
    200,
    'How often the result writer looks for finished jobs when idle (ms).',
  ),
  dashboardToken: setting('DASHBOARD_TOKEN', 'secret', undefined, 'Dashboard bearer token.'),
  dashboardUser: setting('DASHBOARD_USER', 'string', '', 'Dashboard basic-auth user.'),
  dashboardPassword: setting('DASHBOARD_PASSWORD', 'secret', undefined, 'Dashboard basic-auth password.'),
} as const;

export type Settings = typeof SETTINGS;
export type Config = { readonly [K in keyof Settings]: KindValue<Settings[K]['kind']> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseValue(spec: SettingSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'int': {
      if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${spec.env} must be a non-negative integer`);
      return Number(raw.trim());
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`${spec.env} must be one of 1/0/true/false`);
    }
    case 'list':
    case 'secret-list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      if (spec.choices && !spec.choices.includes(raw.trim()))
        throw new ConfigError(
          `${spec.env} must be one of ${spec.choices.join(', ')}, got "${escapeLine(raw.slice(0, 40))}"`,
        );
      if (spec.choices) return raw.trim();
      return raw === '' && spec.kind === 'secret' ? undefined : raw;
  }
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof Settings, unknown>> = {},
): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [keyof Settings, SettingSpec][]) {
    const override = overrides[key];
    if (override !== undefined) out[key] = override;
    else if (env[spec.env] !== undefined) out[key] = parseValue(spec, env[spec.env] as string);
    else out[key] = spec.default;
  }
  if (typeof out.redisUrl === 'string' && !/^rediss?:\/\/[^\s]+$/.test(out.redisUrl))
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL`);
  return Object.freeze(out) as Config;
}

/** The same config with some settings replaced (command-line flags that override a setting). */
export function withSettings(config: Config, overrides: Partial<Record<keyof Settings, unknown>>): Config {
  return loadConfig({}, { ...config, ...overrides });
}

/** Every secret value in a config, so that output can be scrubbed of them. */
export function secretValues(config: Config): string[] {
  const values: string[] = [];
  for (const [key, spec] of Object.entries(SETTINGS) as [keyof Settings, SettingSpec][]) {
    const v = config[key];
    if (spec.kind === 'secret' && typeof v === 'string' && v) values.push(v);
    if (spec.kind === 'secret-list' && Array.isArray(v)) values.push(...v.filter(Boolean));
  }
  if (config.redisUrl) {
    try {
      const pw = new URL(config.redisUrl).password;
      if (pw) values.push(decodeURIComponent(pw));
    } catch {
      // not a URL: the whole value is already listed
    }
  }
  return values;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Every command reads these two. */
const COMMON_SETTINGS: ReadonlyArray<keyof Settings> = ['dataDir', 'logLevel'];

function shownDefault(spec: SettingSpec): string {
  if (spec.kind === 'secret' || spec.kind === 'secret-list') return '';
  const value = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
  return value === '' ? '' : ` (default ${value})`;
}

/** The "Environment:" block of a command's --help: every setting it reads, with its default. */
export function environmentHelp(keys: ReadonlyArray<keyof Settings>): string {
  const specs = [...new Set([...COMMON_SETTINGS, ...keys])].map((k) => SETTINGS[k] as SettingSpec);
  const width = Math.max(...specs.map((s) => s.env.length));
  return `\nEnvironment:\n${specs.map((s) => `  ${s.env.padEnd(width)}  ${s.description}${shownDefault(s)}`).join('\n')}\n`;
}
