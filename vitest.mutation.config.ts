import { defineConfig } from 'vitest/config';
import { MUTATION_MODULES } from './test/mutation/modules.mjs';
import base from './vitest.config.js';

/**
 * The test files Stryker runs against mutants (stryker.config.mjs): those of the module named by
 * STRATUM_MUTATION_MODULE, or of every module. Not mergeConfig: it would concatenate the
 * include lists.
 */
const only = process.env.STRATUM_MUTATION_MODULE;
const modules = only ? MUTATION_MODULES.filter((m) => m.name === only) : MUTATION_MODULES;

export default defineConfig({
  test: {
    ...base.test,
    include: [...new Set(modules.flatMap((m) => m.tests))],
    // Stryker's sandbox copies the tree, so every file looks newer than dist/ and the suite's
    // freshness check would refuse; scripts/mutation.mjs checks the build before it starts.
    globalSetup: [],
  },
});
