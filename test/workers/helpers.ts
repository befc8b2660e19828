import path from 'node:path';
import { type Config, loadConfig } from '../../src/core/config.js';
import { projectRoot } from '../../src/core/project-root.js';

export const SCANNERS = path.join(projectRoot(), 'test', 'fixtures', 'scanners');

export function fakeScanner(name: string): string {
  return path.join(SCANNERS, `${name}.mjs`);
}

/** A config for tests: local URLs allowed, short timeouts and intervals, the given overrides. */
export function testConfig(overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig(
    {},
    {
      redisUrl: 'redis://127.0.0.1:6379',
      allowLocalUrls: true,
      scannerCommand: fakeScanner('valid'),
      cloneTimeoutMs: 20_000,
      scanTimeoutMs: 20_000,
      maxAttempts: 2,
      retryBackoffMs: 100,
      lockDurationMs: 3000,
      stalledIntervalMs: 1000,
      shutdownGraceMs: 3000,
      writerPollMs: 50,
      logLevel: 'silent',
      ...overrides,
    },
  );
}

/** Environment for CLI child processes with the same test settings. */
export function testEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    REDIS_URL: 'redis://127.0.0.1:6379',
    STRATUM_ALLOW_LOCAL_URLS: '1',
    STRATUM_SCANNER: fakeScanner('valid'),
    STRATUM_MAX_ATTEMPTS: '2',
    STRATUM_RETRY_BACKOFF_MS: '100',
    STRATUM_LOCK_DURATION_MS: '3000',
    STRATUM_STALLED_INTERVAL_MS: '1000',
    STRATUM_SHUTDOWN_GRACE_MS: '3000',
    STRATUM_WRITER_POLL_MS: '50',
    STRATUM_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export const AGENT_REPO = {
  'app/main.py': 'from crewai import Agent, Crew\na = Agent(role="r")\nc = Crew(agents=[a])\n',
  'requirements.txt': 'crewai==0.80\n',
};
