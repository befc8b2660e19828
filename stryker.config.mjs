// Mutation testing of the security- and data-critical modules (issue #18): `npm run test:mutation`
// (scripts/mutation.mjs) runs Stryker once per module of test/mutation/modules.mjs, with only
// that module's tests, and sets STRATUM_MUTATION_MODULE for the run. Without it (a bare
// `npx stryker run`) every module is mutated against every listed test.
import { MUTATION_MODULES } from './test/mutation/modules.mjs';

const chosen = process.env.STRATUM_MUTATION_MODULE
  ? MUTATION_MODULES.filter((m) => m.name === process.env.STRATUM_MUTATION_MODULE)
  : MUTATION_MODULES;
const name = process.env.STRATUM_MUTATION_MODULE || 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: chosen.flatMap((m) => m.files),
  ignorePatterns: ['data', 'reports', 'bench/out', 'test-output', '.stryker-tmp'],
  reporters: ['html', 'json', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  incremental: true,
  incrementalFile: `test/mutation/incremental/${name}.json`,
  concurrency: 2,
  timeoutMS: 20000,
  thresholds: { high: 90, low: 85, break: null },
  cleanTempDir: 'always',
};
