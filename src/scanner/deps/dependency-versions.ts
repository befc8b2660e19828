import { type LockedPackage, readLockfilePackages } from './lockfile-packages.js';
import { readSetupCfg } from './setup-cfg.js';
import { setupPyRequirements } from './setup-py.js';

/** A TOML parser (smol-toml's `parse`), handed in so the module is only loaded when needed. */
export type TomlParse = (text: string) => Record<string, unknown>;

let tomlParse: TomlParse | null = null;

/** Loads smol-toml once; `parseDependencyFile` needs it for TOML files. */
export async function loadTomlParser(): Promise<void> {
  tomlParse ??= (await import('smol-toml')).parse as TomlParse;
}

function parseToml(text: string): Record<string, unknown> {
  if (tomlParse === null) throw new Error('TOML parser not loaded (call loadTomlParser first)');
  return tomlParse(text);
}

/** A package named in a dependency file, with the most precise version information found. */
export interface DeclaredPackage {
  name: string;
  /** Resolved (lockfile) or pinned (`==`) version, or the specifier as written (`>=0.28`). */
  version: string | null;
  precision: 'locked' | 'pinned' | 'specifier' | 'none';
}

export type DependencyIndex = Map<string, DeclaredPackage>;

const PRECISION_RANK = { locked: 3, pinned: 2, specifier: 1, none: 0 } as const;

/** PEP 503 normalisation: `LangChain_Core` → `langchain-core`. */
export function normalizePackageName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

export function addDeclared(index: DependencyIndex, pkg: DeclaredPackage): void {
  const name = normalizePackageName(pkg.name);
  const prev = index.get(name);
  if (!prev || PRECISION_RANK[pkg.precision] > PRECISION_RANK[prev.precision]) {
    index.set(name, { ...pkg, name });
  }
}

/** `crewai[tools]==0.28.8 ; python_version>"3.9"` → {crewai, 0.28.8, pinned}. */
export function parseRequirement(spec: string): DeclaredPackage | null {
  const line = spec.split('#')[0]?.split(';')[0]?.trim() ?? '';
  if (line === '' || line.startsWith('-') || line.includes('://') || line.startsWith('.')) return null;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(line);
  if (!m) return null;
  const name = m[1] as string;
  const rest = (m[3] ?? '')
    .trim()
    .replace(/^\(|\)$/g, '')
    .trim();
  return fromSpecifier(name, rest);
}

/** Longest version or specifier kept: anything longer is not a version. */
const MAX_VERSION_CHARS = 64;
/** A PEP 440 version (`1.2.3`, `0.28.0rc1`, `2!1.0.post2.dev3+local.1`), `v` prefix allowed. */
const PEP440_VERSION =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:(?:-\d+)|(?:[-_.]?(?:post|rev|r)[-_.]?\d*))?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;
/** One clause of a specifier: an operator (PEP 440's, or Poetry's `^`/`~`) and a version or prefix. */
const SPECIFIER_CLAUSE =
  /^(?:===|==|!=|~=|<=|>=|<|>|\^|~)?v?\d+(?:\.(?:\d+|\*))*(?:[-_.]?[a-z]+[-_.]?\d*)*(?:\+[a-z0-9.]+)?$/i;

/** Whether a text copied from a dependency file is a version: else it never reaches a ping. */
export function isVersion(v: string): boolean {
  return v.length <= MAX_VERSION_CHARS && PEP440_VERSION.test(v);
}

/** Whether a text is a version specifier (`>=0.28,<0.30`, `^1.2`, `==0.1.*`). */
export function isVersionSpecifier(v: string): boolean {
  if (v.length > MAX_VERSION_CHARS) return false;
  return v.split(',').every((clause) => SPECIFIER_CLAUSE.test(clause));
}

function fromSpecifier(name: string, specifier: string): DeclaredPackage {
  const s = specifier.replace(/\s+/g, '');
  if (s === '' || s === '*') return { name, version: null, precision: 'none' };
  const pin = /^===?([^,]+)$/.exec(s);
  if (pin && !(pin[1] as string).includes('*'))
    return isVersion(pin[1] as string)
      ? { name, version: pin[1] as string, precision: 'pinned' }
      : { name, version: null, precision: 'none' };
  return isVersionSpecifier(s)
    ? { name, version: s, precision: 'specifier' }
    : { name, version: null, precision: 'none' };
}

export function parseRequirementsTxt(text: string, index: DependencyIndex): void {
  for (const raw of text.split('\n')) {
    const pkg = parseRequirement(raw.replace(/\\$/, ''));
    if (pkg) addDeclared(index, pkg);
  }
}

type TomlTable = Record<string, unknown>;

function asTable(v: unknown): TomlTable | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as TomlTable) : null;
}

function addPep508List(list: unknown, index: DependencyIndex): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (typeof item !== 'string') continue;
    const pkg = parseRequirement(item);
    if (pkg) addDeclared(index, pkg);
  }
}

function addPoetryTable(table: TomlTable | null, index: DependencyIndex): void {
  if (!table) return;
  for (const [name, spec] of Object.entries(table)) {
    if (name.toLowerCase() === 'python') continue;
    const version = typeof spec === 'string' ? spec : (asTable(spec)?.version as string | undefined);
    if (typeof version !== 'string') {
      addDeclared(index, { name, version: null, precision: 'none' });
      continue;
    }
    // Poetry's bare "1.2.3" is an exact pin.
    const v = /^\d[\w.]*$/.test(version.trim()) ? `==${version.trim()}` : version;
    addDeclared(index, fromSpecifier(name, v));
  }
}

export function parsePyproject(text: string, index: DependencyIndex): void {
  const doc = parseToml(text) as TomlTable;
  const project = asTable(doc.project);
  addPep508List(project?.dependencies, index);
  for (const list of Object.values(asTable(project?.['optional-dependencies']) ?? {}))
    addPep508List(list, index);
  for (const list of Object.values(asTable(doc['dependency-groups']) ?? {})) addPep508List(list, index);
  const poetry = asTable(asTable(doc.tool)?.poetry);
  addPoetryTable(asTable(poetry?.dependencies), index);
  addPoetryTable(asTable(poetry?.['dev-dependencies']), index);
  for (const group of Object.values(asTable(poetry?.group) ?? {}))
    addPoetryTable(asTable(asTable(group)?.dependencies), index);
}

/**
 * The distribution name a root `pyproject.toml`, `setup.py` or `setup.cfg` publishes (`openai-agents`),
 * normalised; null when none is declared. It tells a framework's own repository apart.
 */
export function ownProjectName(baseName: string, text: string): string | null {
  const lower = baseName.toLowerCase();
  let name: unknown = null;
  if (lower === 'pyproject.toml') {
    const doc = parseToml(text) as TomlTable;
    name = asTable(doc.project)?.name ?? asTable(asTable(doc.tool)?.poetry)?.name ?? null;
  } else if (lower === 'setup.py')
    name = /\bname\s*=\s*["']([A-Za-z0-9._-]{1,100})["']/.exec(text)?.[1] ?? null;
  else if (lower === 'setup.cfg') name = readSetupCfg(text).name;
  return typeof name === 'string' && name.length <= 100 ? normalizePackageName(name) : null;
}

/**
 * poetry.lock, uv.lock and pdm.lock share `[[package]] name = … version = …`. Read without the
 * full TOML parser when they are written the way their tools write them (readLockfilePackages).
 */
export function parseTomlLock(text: string, index: DependencyIndex): void {
  for (const { name, version } of readLockfilePackages(text) ?? packagesOfToml(parseToml(text)))
    addDeclared(
      index,
      isVersion(version)
        ? { name, version, precision: 'locked' }
        : { name, version: null, precision: 'none' },
    );
}

function packagesOfToml(doc: TomlTable): LockedPackage[] {
  const packages = doc.package;
  if (!Array.isArray(packages)) return [];
  const out: LockedPackage[] = [];
  for (const p of packages) {
    const t = asTable(p);
    if (typeof t?.name === 'string' && typeof t.version === 'string')
      out.push({ name: t.name, version: t.version });
  }
  return out;
}

export function parsePipfile(text: string, index: DependencyIndex): void {
  const doc = parseToml(text) as TomlTable;
  for (const section of ['packages', 'dev-packages']) {
    for (const [name, spec] of Object.entries(asTable(doc[section]) ?? {})) {
      const v = typeof spec === 'string' ? spec : (asTable(spec)?.version as string | undefined);
      addDeclared(index, fromSpecifier(name, typeof v === 'string' ? v : ''));
    }
  }
}

export function parsePipfileLock(text: string, index: DependencyIndex): void {
  const doc = JSON.parse(text) as Record<string, unknown>;
  for (const section of ['default', 'develop']) {
    for (const [name, spec] of Object.entries(asTable(doc[section]) ?? {})) {
      const v = asTable(spec)?.version;
      if (typeof v === 'string' && v.startsWith('==') && isVersion(v.slice(2)))
        addDeclared(index, { name, version: v.slice(2), precision: 'locked' });
    }
  }
}

/** setup.py is code we never run: only the literals of `install_requires`/`extras_require` are read. */
export function parseSetupPy(text: string, index: DependencyIndex): void {
  for (const requirement of setupPyRequirements(text)) {
    const pkg = parseRequirement(requirement);
    if (pkg) addDeclared(index, pkg);
  }
}

/** setup.cfg's `install_requires` and `[options.extras_require]` (readSetupCfg). */
export function parseSetupCfg(text: string, index: DependencyIndex): void {
  for (const requirement of readSetupCfg(text).requirements) {
    const pkg = parseRequirement(requirement);
    if (pkg) addDeclared(index, pkg);
  }
}

const LOCKFILE_NAMES = new Set(['poetry.lock', 'uv.lock', 'pdm.lock']);

/** Parses one dependency file by its base name. Throws on malformed TOML/JSON (a parse error). */
export function parseDependencyFile(baseName: string, text: string, index: DependencyIndex): void {
  const lower = baseName.toLowerCase();
  if (lower === 'pyproject.toml') parsePyproject(text, index);
  else if (LOCKFILE_NAMES.has(lower)) parseTomlLock(text, index);
  else if (lower === 'pipfile') parsePipfile(text, index);
  else if (lower === 'pipfile.lock') parsePipfileLock(text, index);
  else if (lower === 'setup.py') parseSetupPy(text, index);
  else if (lower === 'setup.cfg') parseSetupCfg(text, index);
  else parseRequirementsTxt(text, index);
}

/** Lockfile text remembered per scan at most, in characters: it stays in memory to the end. */
const MAX_REMEMBERED_LOCK_CHARS = 8 * 1024 * 1024;

/**
 * Reads a repository's dependency files into one index, each distinct lockfile text once.
 * Repositories of examples carry the same poetry.lock or uv.lock in many folders (four copies
 * of one 461 KB file in joaomdmoura/crewAI-examples). A copy changes nothing: `addDeclared`
 * replaces an entry only with a more precise one, the copy's entries are the original's, and a
 * lockfile that fails adds nothing. So a copy is skipped, or fails as its original failed.
 */
export class DependencyFileReader {
  /** Lockfile texts read, and the error each threw (null when it was read). */
  private readonly lockOutcomes = new Map<string, { error: unknown } | null>();
  private rememberedChars = 0;

  constructor(readonly index: DependencyIndex) {}

  /** As `parseDependencyFile`. */
  read(baseName: string, text: string): void {
    if (!LOCKFILE_NAMES.has(baseName.toLowerCase())) {
      parseDependencyFile(baseName, text, this.index);
      return;
    }
    let outcome = this.lockOutcomes.get(text);
    if (outcome === undefined) {
      outcome = null;
      try {
        parseTomlLock(text, this.index);
      } catch (error) {
        outcome = { error };
      }
      if (this.rememberedChars + text.length <= MAX_REMEMBERED_LOCK_CHARS) {
        this.lockOutcomes.set(text, outcome);
        this.rememberedChars += text.length;
      }
    }
    if (outcome !== null) throw outcome.error;
  }
}
