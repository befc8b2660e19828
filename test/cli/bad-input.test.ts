import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/project-root.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';

/**
 * Every subcommand of the built CLI against user mistakes: each must end with exit 2, one
 * line on stderr that starts with "error:", no stack frame, no raw control character, nothing
 * on stdout, no file written and no Redis key created.
 */
const CLI = path.join(projectRoot(), 'dist', 'src', 'cli.js');
const run = promisify(execFile);

let tmp: { dir: string; cleanup: () => void };
let work: string;
let dataDir: string;
const prefix = uniquePrefix('bad-input');
const redis = testRedis();

/** Files the bad inputs name, relative to the work directory. */
function writeInputs(): void {
  mkdirSync(path.join(work, 'a-directory'));
  writeFileSync(path.join(work, 'empty.jsonl'), '');
  // The head of the node binary: an ELF file, NUL bytes and all.
  const head = Buffer.alloc(4096);
  const fd = openSync(process.execPath, 'r');
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  writeFileSync(path.join(work, 'binary.jsonl'), head);
  // Colour, window-title and bell sequences in lines that are not JSON (raw control characters).
  writeFileSync(
    path.join(work, 'escapes.jsonl'),
    '{"repo_full_name": "evil/\x1b]0;pwned\x07\x1b[31mred"}\n\x1b[2J\x1b[H\x07not json at all\n',
  );
  writeFileSync(path.join(work, 'text.jsonl'), 'hello\nworld\n');
  writeFileSync(path.join(work, 'bad.yaml'), 'gates: [unclosed\n');
}

interface BadInput {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** What the one line must say (the option, file or setting at fault). */
  says: RegExp;
}

const SUBCOMMANDS = [
  'demo',
  'discover',
  'enqueue',
  'scan',
  'worker',
  'writer',
  'monitor',
  'dashboard',
  'audit',
  'generate-test-data',
  'scanner',
];

/** A port something already listens on. */
const busy = createServer();
await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
const BUSY_PORT = (busy.address() as AddressInfo).port;

/** The command line that makes `command` start (or fail on the bad input only). */
const TABLE: BadInput[] = [
  // A typo in the environment (would crash-loop a fleet) and an unknown option, on every command
  // that reads the pipeline's configuration.
  ...SUBCOMMANDS.filter((c) => c !== 'scanner').flatMap((command): BadInput[] => [
    {
      command,
      args: [],
      env: { STRATUM_LOG_LEVEL: 'bogus' },
      says: /STRATUM_LOG_LEVEL must be one of .*"bogus"/,
    },
    { command, args: ['--no-such-option'], says: /unknown option '--no-such-option'/ },
  ]),
  { command: 'worker', args: [], env: { STRATUM_MAX_ATTEMPTS: 'three' }, says: /STRATUM_MAX_ATTEMPTS/ },
  { command: 'writer', args: [], env: { REDIS_URL: 'localhost 6379' }, says: /REDIS_URL must be a redis/ },
  { command: 'monitor', args: ['--once'], env: { STRATUM_LEAN_CLONE: 'maybe' }, says: /STRATUM_LEAN_CLONE/ },
  { command: 'demo', args: ['--workers', 'four'], says: /--workers must be a non-negative integer/ },
  {
    command: 'discover',
    args: ['--dry-run', '--strata', 'a-directory'],
    says: /--strata a-directory: is a directory/,
  },
  {
    command: 'discover',
    args: ['--dry-run', '--strata', 'binary.jsonl'],
    says: /--strata binary.jsonl: a binary file/,
  },
  {
    command: 'discover',
    args: ['--dry-run', '--strata', 'missing.yaml'],
    says: /--strata missing.yaml: no such file/,
  },
  {
    command: 'discover',
    args: ['--dry-run', '--strata', 'escapes.jsonl'],
    says: /invalid strata file escapes.jsonl/,
  },
  { command: 'discover', args: ['--dry-run', '--stratum', 'nope'], says: /unknown stratum "nope"/ },
  { command: 'enqueue', args: ['--manifest', 'empty.jsonl'], says: /--manifest empty.jsonl: empty/ },
  {
    command: 'enqueue',
    args: ['--manifest', 'binary.jsonl'],
    says: /--manifest binary.jsonl: a binary file/,
  },
  {
    command: 'enqueue',
    args: ['--manifest', 'escapes.jsonl'],
    says: /none of its 2 lines names a repository/,
  },
  { command: 'enqueue', args: ['--manifest', 'a-directory'], says: /--manifest a-directory: is a directory/ },
  { command: 'enqueue', args: ['--manifest', 'empty.jsonl', '--limit', 'ten'], says: /--limit must be/ },
  { command: 'enqueue', args: [], says: /manifest not found: .*repo_manifest\.jsonl \(run discover first\)/ },
  { command: 'scan', args: ['--manifest', 'empty.jsonl'], says: /--manifest empty.jsonl: empty/ },
  { command: 'scan', args: ['--manifest', 'binary.jsonl'], says: /a binary file/ },
  { command: 'scan', args: ['--manifest', 'escapes.jsonl'], says: /none of its 2 lines names a repository/ },
  { command: 'scan', args: ['--workers', '-1'], says: /unknown option '-1'|--workers/ },
  { command: 'worker', args: ['--concurrency', 'lots'], says: /--concurrency must be/ },
  { command: 'monitor', args: ['--interval', '0'], says: /--interval must be at least 1 second/ },
  { command: 'monitor', args: ['--interval', 'often'], says: /--interval must be/ },
  {
    command: 'dashboard',
    args: ['--port', '99999'],
    says: /--port must be a port number 0–65535, got 99999/,
  },
  { command: 'dashboard', args: ['--port', 'http'], says: /--port must be/ },
  { command: 'dashboard', args: ['--port', '0', '--drain-check-cron', 'bogus'], says: /cron expression/ },
  {
    command: 'dashboard',
    args: ['--port', String(BUSY_PORT)],
    says: new RegExp(`cannot listen on 127\\.0\\.0\\.1:${BUSY_PORT}: EADDRINUSE`),
  },
  { command: 'audit', args: ['--input', 'a-directory'], says: /--input \S*a-directory: is a directory/ },
  { command: 'audit', args: ['--input', process.execPath], says: /--input .*: a binary file/ },
  { command: 'audit', args: ['--input', 'binary.jsonl'], says: /--input \S*binary.jsonl: a binary file/ },
  {
    command: 'audit',
    args: ['--input', 'empty.jsonl'],
    says: /empty.jsonl: no readable row \(0 corrupt lines/,
  },
  {
    command: 'audit',
    args: ['--input', 'text.jsonl'],
    says: /text.jsonl: no readable row \(2 corrupt lines/,
  },
  { command: 'audit', args: ['--input', 'escapes.jsonl'], says: /escapes.jsonl: no readable row/ },
  { command: 'audit', args: ['--input', 'missing.jsonl'], says: /--input \S*missing.jsonl: no such file/ },
  { command: 'audit', args: [], says: /results file .*scan_results\.jsonl: no such file/ },
  {
    command: 'audit',
    args: ['--input', 'text.jsonl', '--gates', 'a-directory'],
    says: /--gates \S*a-directory: is a directory/,
  },
  {
    command: 'audit',
    args: ['--input', 'text.jsonl', '--manifest', 'binary.jsonl'],
    says: /--manifest \S*binary.jsonl: a binary file/,
  },
  { command: 'audit', args: ['--input', 'text.jsonl', '--section', 'nope'], says: /unknown section "nope"/ },
  {
    command: 'audit',
    args: ['--input', 'text.jsonl', '--format', 'xml'],
    says: /--format must be md or json/,
  },
  { command: 'audit', args: ['--seed', 'abc'], says: /--seed must be/ },
  { command: 'generate-test-data', args: ['--count', 'many'], says: /--count must be/ },
  {
    command: 'generate-test-data',
    args: ['--output', 'a-directory'],
    says: /--output .*a-directory: is a directory/,
  },
  { command: 'scanner', args: ['scan', 'missing-dir', '--json'], says: /missing-dir/ },
  { command: 'scanner', args: ['scan', 'a-directory', '--no-such-option'], says: /unknown option/ },
];

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

beforeAll(() => {
  tmp = tempDir('bad-input');
  work = path.join(tmp.dir, 'work');
  dataDir = path.join(tmp.dir, 'data');
  mkdirSync(work);
  mkdirSync(dataDir);
  writeInputs();
});

afterAll(async () => {
  busy.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  tmp.cleanup();
});

describe('user mistakes: one line, exit 2, nothing written', () => {
  it('the table covers every subcommand the CLI lists', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help']);
    const listed = [...stdout.matchAll(/^ {2}([a-z][a-z-]*) /gm)]
      .map((m) => m[1])
      .filter((c) => c !== 'help');
    expect(new Set(listed)).toEqual(new Set(SUBCOMMANDS));
    expect(new Set(TABLE.map((t) => t.command))).toEqual(new Set(SUBCOMMANDS));
  });

  for (const bad of TABLE) {
    const label = `${bad.command} ${bad.args.join(' ')} ${Object.entries(bad.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`.trim();
    it(label, async () => {
      const before = { work: listing(work), data: listing(dataDir) };
      const result = await run(process.execPath, [CLI, bad.command, ...bad.args], {
        cwd: work,
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          STRATUM_DATA_DIR: dataDir,
          STRATUM_QUEUE_PREFIX: prefix,
          STRATUM_WORK_DIR: path.join(tmp.dir, 'clones'),
          ...bad.env,
        },
      }).then(
        (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      const lines = result.stderr.split('\n').filter((l) => l !== '');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(bad.says);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect({ work: listing(work), data: listing(dataDir) }).toEqual(before);
      expect(await deleteKeysWithPrefix(redis, prefix), 'Redis keys created').toBe(0);
    });
  }
});
