/** What the scanner reads, decided from a file's repository-relative path alone. */
export type FileKind =
  | 'python'
  | 'notebook'
  | 'yaml'
  | 'dependency'
  | 'mcp_config'
  | 'env'
  | 'gitignore'
  | 'dockerfile';

/** Directory names never entered: VCS data, virtualenvs, dependencies, build output, caches. */
const SKIPPED_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'venv',
  '.venv',
  'virtualenv',
  '.virtualenv',
  'env',
  'site-packages',
  'dist-packages',
  '__pycache__',
  'build',
  'dist',
  '_build',
  '.tox',
  '.nox',
  '.eggs',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  '.next',
  '.cache',
  'bower_components',
  'vendor',
]);

export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name) || name.endsWith('.egg-info');
}

const DEPENDENCY_FILES = new Set([
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'pipfile',
  'pipfile.lock',
  'setup.cfg',
  'setup.py',
  'pdm.lock',
]);

const MCP_FILES = new Set(['mcp.json', 'claude_desktop_config.json', 'mcp_config.json', '.mcp.json']);

/** A `setup.py`: a dependency file, and Python code as well (read-repository.ts). */
export function isSetupPy(relPath: string): boolean {
  return relPath.slice(relPath.lastIndexOf('/') + 1).toLowerCase() === 'setup.py';
}

export function fileKind(relPath: string): FileKind | null {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const lower = base.toLowerCase();
  if (lower === 'setup.py') return 'dependency';
  if (lower.endsWith('.py')) return 'python';
  if (lower.endsWith('.ipynb')) return 'notebook';
  if (DEPENDENCY_FILES.has(lower) || /^requirements[\w.-]*\.(txt|in)$/.test(lower)) return 'dependency';
  if (MCP_FILES.has(lower)) return 'mcp_config';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower === '.env' || lower.startsWith('.env.')) return 'env';
  if (lower === '.gitignore') return 'gitignore';
  if (isDockerfileName(lower)) return 'dockerfile';
  return null;
}

export function isDockerfileName(lowerBase: string): boolean {
  return (
    lowerBase === 'dockerfile' ||
    lowerBase.startsWith('dockerfile.') ||
    lowerBase.endsWith('.dockerfile') ||
    /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(lowerBase)
  );
}

/** Test code: excluded from agent counts, but a deployment signal. */
export function isTestPath(relPath: string): boolean {
  const parts = relPath.split('/');
  const base = parts[parts.length - 1] ?? '';
  if (/^test_.*\.py$/.test(base) || /_test\.py$/.test(base) || base === 'conftest.py') return true;
  return parts.slice(0, -1).some((p) => p === 'tests' || p === 'test');
}
