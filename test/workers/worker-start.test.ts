import { afterAll, describe, expect, it } from 'vitest';
import { compiledValidators } from '../../src/core/contract/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { startScanWorker } from '../../src/workers/scan-worker.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { testConfig } from './helpers.js';

const redis = testRedis();
const prefix = uniquePrefix('worker-start');
const work = tempDir('stratum-work');

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  work.cleanup();
});

describe('a scan worker at start-up', { timeout: 30_000 }, () => {
  it('has compiled the ping validator before its first job, so that job does not pay it', async () => {
    // A module instance of its own (vitest isolates test files): nothing validated yet.
    expect(compiledValidators()).toEqual([]);
    const worker = await startScanWorker(testConfig({ queuePrefix: prefix, workDir: work.dir }), {
      concurrency: 1,
      logger: silentLogger,
      secrets: [],
    });
    try {
      expect(compiledValidators()).toEqual(['ping']);
    } finally {
      await worker.close();
    }
  });
});
