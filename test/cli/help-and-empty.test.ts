import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SECTION_IDS } from '../../src/audit/sections/index.js';
import { projectRoot } from '../../src/core/project-root.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';

const CLI = path.join(projectRoot(), 'dist', 'src', 'cli.js');
const run = promisify(execFile);
const redis = testRedis();
const prefix = uniquePrefix('empty-prefix');
const tmp = tempDir('help-empty');

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  tmp.cleanup();
});

async function help(command: string): Promise<string> {
  return (await run(process.execPath, [CLI, command, '--help'])).stdout;
}

describe('--help says what a command reads', () => {
  it('audit lists every section name --section accepts', async () => {
    const text = await help('audit');
    expect(text).toContain(`Sections: ${SECTION_IDS.join(', ')}.`);
    expect(text).toContain('--output-dir <dir>');
  });

  it.each([
    ['discover', ['GITHUB_TOKEN', 'GITHUB_TOKENS', 'GITHUB_API_URL']],
    ['enqueue', ['REDIS_URL', 'STRATUM_QUEUE_PREFIX', 'STRATUM_MAX_ATTEMPTS']],
    ['scan', ['REDIS_URL', 'STRATUM_SCANNER', 'STRATUM_WORK_DIR', 'STRATUM_CLONE_TIMEOUT_MS']],
    ['worker', ['REDIS_URL', 'STRATUM_SCANNER', 'STRATUM_LEAN_CLONE']],
    ['writer', ['REDIS_URL', 'STRATUM_WRITER_POLL_MS']],
    ['monitor', ['REDIS_URL', 'STRATUM_QUEUE_PREFIX']],
    ['dashboard', ['DASHBOARD_TOKEN', 'DASHBOARD_USER', 'DASHBOARD_PASSWORD']],
    ['audit', []],
    ['generate-test-data', []],
    ['demo', ['REDIS_URL']],
  ])('%s lists its environment variables with their defaults', async (command, names) => {
    const text = await help(command);
    const env = text.slice(text.indexOf('Environment:'));
    expect(text).toContain('Environment:');
    for (const name of ['STRATUM_DATA_DIR', 'STRATUM_LOG_LEVEL', ...names])
      expect(env).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(env).toContain('(default data)');
  });
});

describe('monitor --once on a prefix with no run', () => {
  it('says so and creates no key', async () => {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'monitor', '--once'], {
      env: { PATH: process.env.PATH ?? '', STRATUM_QUEUE_PREFIX: prefix, STRATUM_DATA_DIR: tmp.dir },
    });
    expect(stderr).toBe('');
    expect(stdout).toContain('No run here yet: nothing enqueued under this queue prefix and no result file.');
    expect(await deleteKeysWithPrefix(redis, prefix), 'keys created by the monitor').toBe(0);
  });
});
