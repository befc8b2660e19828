/**
 * What the scanner reads (spec "What counts"; src/scanner/walk/file-kinds.ts and the
 * deployment-signal names of src/scanner/analysis/analyze.ts): Python sources and notebooks,
 * dependency and lock files, agent/MCP configuration, container/CI/env files — whose mere
 * presence is a signal, so they must be in the worktree too. Everything else (images, data,
 * models, docs) is never fetched. gitignore syntax, non-cone sparse checkout. An external
 * scanner that needs more sets STRATUM_SPARSE_PATTERNS. test/workers/lean-clone-parity.test.ts
 * checks that the built-in scanner gives the same ping on a lean and on a full clone.
 */
export const DEFAULT_SPARSE_PATTERNS: readonly string[] = [
  // sources the scanner parses
  '*.py',
  '*.pyi',
  '*.ipynb',
  // dependency and lock files (versions, has_lockfile)
  '*.toml',
  '*.cfg',
  '*.ini',
  '*.lock',
  '*.lockb',
  'requirements*.txt',
  'requirements*.in',
  'Pipfile',
  // configuration: agents/tasks YAML, MCP and LangGraph JSON, AutoGen's OAI_CONFIG_LIST
  '*.yaml',
  '*.yml',
  '*.json',
  'OAI_CONFIG_LIST',
  // deployment signals: containers, CI, env examples
  '[Dd]ockerfile*',
  '*.[Dd]ockerfile',
  'Jenkinsfile',
  '/.buildkite/',
  '.gitignore',
  '.env',
  '.env.*',
];

export function sparsePatternsOf(configured: readonly string[]): readonly string[] {
  const patterns = configured.length > 0 ? configured : DEFAULT_SPARSE_PATTERNS;
  for (const p of patterns) {
    if (p.startsWith('-')) throw new Error(`sparse pattern ${JSON.stringify(p)} starts with '-'`);
  }
  return patterns;
}
