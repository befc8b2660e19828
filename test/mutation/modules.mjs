// The critical modules under mutation testing (issue #18) and the tests that exercise each.
// A module's tests are the ones that run its code in-process: tests that start the built CLI
// run unmutated code and cannot kill a mutant. Equivalent survivors: docs/mutation-testing.md.
export const MUTATION_MODULES = [
  {
    name: 'redact',
    files: ['src/core/redact.ts'],
    tests: ['test/core/redact.test.ts'],
    threshold: 85,
  },
  {
    name: 'access',
    files: ['src/dashboard/access.ts'],
    tests: ['test/dashboard/access.test.ts'],
    threshold: 85,
  },
  {
    name: 'jsonl',
    files: ['src/core/jsonl.ts'],
    tests: ['test/core/jsonl.test.ts'],
    threshold: 85,
  },
  {
    name: 'git-hardening',
    files: ['src/workers/clone/git-command.ts'],
    tests: ['test/workers/git-hardening.test.ts'],
    threshold: 85,
  },
  {
    name: 'split-grouping',
    files: ['src/audit/split/grouping.ts'],
    tests: ['test/audit/split-grouping.test.ts'],
    threshold: 85,
  },
  {
    name: 'repo-url',
    files: ['src/workers/clone/repo-url.ts', 'src/workers/row-check.ts'],
    tests: [
      'test/workers/repo-url.test.ts',
      'test/workers/url-guard.test.ts',
      'test/workers/row-check.test.ts',
      'test/workers/repo-url-judgement.test.ts',
    ],
    threshold: 85,
  },
  {
    name: 'invariants',
    files: ['src/core/contract/invariants.ts'],
    tests: ['test/contract/invariants-table.test.ts'],
    threshold: 85,
  },
  {
    name: 'security-rules',
    files: ['src/scanner/rules/security.ts'],
    tests: [
      'test/scanner/rules.test.ts',
      'test/scanner/security-rules.test.ts',
      'test/scanner/rule-catalogue.test.ts',
    ],
    threshold: 85,
  },
  {
    name: 'architecture-rules',
    files: ['src/scanner/rules/architecture.ts'],
    tests: [
      'test/scanner/rules.test.ts',
      'test/scanner/architecture-rules.test.ts',
      'test/scanner/rule-catalogue.test.ts',
    ],
    threshold: 85,
  },
  {
    name: 'operational-rules',
    files: ['src/scanner/rules/operational.ts'],
    tests: [
      'test/scanner/rules.test.ts',
      'test/scanner/operational-rules.test.ts',
      'test/scanner/rule-catalogue.test.ts',
    ],
    threshold: 85,
  },
  {
    name: 'rule-evaluation',
    files: ['src/scanner/rules/evaluate.ts'],
    tests: [
      'test/scanner/rule-evaluation.test.ts',
      'test/scanner/security-rules.test.ts',
      'test/scanner/architecture-rules.test.ts',
      'test/scanner/operational-rules.test.ts',
    ],
    threshold: 85,
  },
  {
    name: 'discovery-selection',
    files: ['src/producer/discover/selection.ts'],
    tests: ['test/producer/selection.test.ts', 'test/producer/selection-properties.test.ts'],
    threshold: 85,
  },
  {
    name: 'gates',
    files: ['src/audit/gates.ts'],
    tests: ['test/audit/gates.test.ts', 'test/audit/gate-verdicts.test.ts'],
    threshold: 85,
  },
  {
    name: 'cloner',
    files: [
      'src/workers/clone/cloner.ts',
      'src/workers/clone/classify.ts',
      'src/workers/clone/sparse-patterns.ts',
    ],
    tests: ['test/workers/cloner.test.ts', 'test/workers/clone.test.ts', 'test/workers/classify.test.ts'],
    threshold: 85,
  },
  {
    name: 'result-writer',
    files: [
      'src/workers/writer/result-writer.ts',
      'src/workers/writer/written-rows.ts',
      'src/workers/writer/row-identity.ts',
    ],
    tests: ['test/workers/result-writer.test.ts', 'test/workers/written-rows.test.ts'],
    threshold: 85,
  },
];
