import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/e2e-population.js';
import { freePort } from '../support/net.js';
import { tempDir } from '../support/tmp.js';
import { writePopulation } from '../support/write-population.js';

/**
 * TLS to Redis, as docs/runbook.md describes it for a hub reached over an untrusted network:
 * a redis-server that speaks only TLS (its own CA, a certificate for 127.0.0.1) and wants a
 * password; the pipeline connects with `rediss://` and trusts the CA through
 * NODE_EXTRA_CA_CERTS. A whole `scan` (producer, workers and writer, BullMQ's scripts and
 * blocking commands) runs over it; without the CA, or with plain `redis://`, a worker stops at
 * once and says Redis is not reachable.
 */
const PASSWORD = 'tls-Redis-Passw0rd-DoNotLeak';
const tmp = tempDir('stratum-redis-tls');
const ca = path.join(tmp.dir, 'ca.pem');
let port = 0;
let redis: ChildProcess | undefined;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function run(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function env(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp.dir,
    STRATUM_QUEUE_PREFIX: `tls${process.pid}`,
    STRATUM_ALLOW_LOCAL_URLS: '1',
    STRATUM_WORK_DIR: path.join(tmp.dir, 'work'),
    STRATUM_DATA_DIR: path.join(tmp.dir, 'data'),
    ...extra,
  };
}

describe('Redis over TLS (rediss://)', () => {
  beforeAll(async () => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=stratum test CA',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'redis.key',
      '-out',
      'redis.csr',
      '-subj',
      '/CN=127.0.0.1',
    );
    writeFileSync(path.join(tmp.dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'redis.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'redis.pem',
      '-days',
      '2',
      '-extfile',
      'san.ext',
    );
    port = await freePort();
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        path.join(tmp.dir, 'redis.pem'),
        '--tls-key-file',
        path.join(tmp.dir, 'redis.key'),
        '--tls-ca-cert-file',
        ca,
        '--tls-auth-clients',
        'no',
        '--requirepass',
        PASSWORD,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        tmp.dir,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const pong = execFileSync(
          'redis-cli',
          [
            '--tls',
            '--cacert',
            ca,
            '-h',
            '127.0.0.1',
            '-p',
            String(port),
            '--no-auth-warning',
            '-a',
            PASSWORD,
            'ping',
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
        );
        if (pong.includes('PONG')) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error('TLS redis-server did not answer');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(() => {
    redis?.kill('SIGKILL');
    tmp.cleanup();
  });

  it('runs a whole scan over rediss:// with the CA trusted through NODE_EXTRA_CA_CERTS', async () => {
    const manifest = path.join(tmp.dir, 'data', 'repo_manifest.jsonl');
    const { repos } = await writePopulation({
      count: 8,
      out: path.join(tmp.dir, 'population'),
      urlBase: `file://${path.join(tmp.dir, 'population', 'serve')}`,
      manifest,
    });
    const r = await run(
      ['scan', '--workers', '2'],
      env({ REDIS_URL: `rediss://:${PASSWORD}@127.0.0.1:${port}`, NODE_EXTRA_CA_CERTS: ca }),
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain(PASSWORD);
    const rows = ['scan_results.jsonl', 'quarantine.jsonl'].flatMap((f) => {
      try {
        return readFileSync(path.join(tmp.dir, 'data', f), 'utf8')
          .split('\n')
          .filter(Boolean);
      } catch {
        return [];
      }
    });
    expect(rows.length).toBe(repos);
  }, 180_000);

  it('a worker that does not trust the CA, or speaks plain redis://, stops at once', async () => {
    const untrusted = await run(
      ['worker'],
      env({ REDIS_URL: `rediss://:${PASSWORD}@127.0.0.1:${port}` }),
      30_000,
    );
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.out).toMatch(/is not reachable: .*certificate/);
    expect(untrusted.out).not.toContain(PASSWORD);
    const plain = await run(['worker'], env({ REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}` }), 30_000);
    expect(plain.code).not.toBe(0);
    expect(plain.out).toMatch(/is not reachable/);
  }, 60_000);
});
