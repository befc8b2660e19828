import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // A missing binary, service or build fails the run at once with the command that fixes it.
    globalSetup: ['test/support/global-setup.ts'],
    // Integration suites share one Redis and spawn git/scanner processes: forks isolate
    // native/WASM state and keep a crashing child from taking the runner down.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
