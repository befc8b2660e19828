import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './support/net.js';
import { DEBIAN_INSTALL, neededInRun, PREREQUISITES, redisAnswers } from './support/prerequisites.js';

function named(name: string) {
  const found = PREREQUISITES.find((p) => p.name.startsWith(name));
  if (!found) throw new Error(`no prerequisite named ${name}`);
  return found;
}

describe('test prerequisites (checked by the global setup before any test runs)', () => {
  it('checks what every file needs on every run, and a file-specific need only when that file runs', () => {
    expect(neededInRun(named('git'), [])).toBe(true);
    expect(neededInRun(named('git'), ['test/core/jsonl'])).toBe(true);
    expect(neededInRun(named('chromium'), [])).toBe(true);
    expect(neededInRun(named('chromium'), ['test/core/jsonl'])).toBe(false);
    expect(neededInRun(named('chromium'), ['dashboard'])).toBe(true);
    expect(neededInRun(named('chromium'), [`${process.cwd()}/test/dashboard/browser.test.ts`])).toBe(true);
    expect(neededInRun(named('root'), ['test/e2e/process-faults'])).toBe(true);
  });

  it('the install hint is one Debian command naming every package the suite needs', () => {
    expect(DEBIAN_INSTALL).toBe('apt-get install -y git redis-server chromium');
  });

  it('tells a Redis that answers PING from a port where something else (or nothing) listens', async () => {
    expect(await redisAnswers(6379)).toBe(true);
    const silent = createServer((socket) => socket.on('data', () => socket.end('HTTP/1.1 400 Bad\r\n\r\n')));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    try {
      expect(await redisAnswers(typeof address === 'object' && address ? address.port : 0)).toBe(false);
    } finally {
      silent.close();
    }
    expect(await redisAnswers(await freePort())).toBe(false);
  });
});
