/**
 * What the scanner reads (spec "What counts"): Python sources and notebooks, dependency and
 * lock files, agent/MCP configuration, deployment signals. Everything else (images, data,
 * models, docs) is never fetched. gitignore syntax, non-cone sparse checkout. An external
 * scanner that needs more sets STRATUM_SPARSE_PATTERNS.
 */
export const DEFAULT_SPARSE_PATTERNS: readonly string[] = [
  '*.py',
  '*.pyi',
  '*.ipynb',
  '*.toml',
  '*.cfg',
  '*.ini',
  '*.yaml',
  '*.yml',
  '*.json',
  '*.lock',
  'requirements*.txt',
  'Pipfile',
  'Dockerfile*',
  '*.Dockerfile',
  '*.dockerfile',
  '.gitignore',
  '.env.example',
  '.env.sample',
  '.env.template',
  '/.github/workflows/*',
  '/.gitlab-ci.yml',
];

export function sparsePatternsOf(configured: readonly string[]): readonly string[] {
  const patterns = configured.length > 0 ? configured : DEFAULT_SPARSE_PATTERNS;
  for (const p of patterns) {
    if (p.startsWith('-')) throw new Error(`sparse pattern ${JSON.stringify(p)} starts with '-'`);
  }
  return patterns;
}
