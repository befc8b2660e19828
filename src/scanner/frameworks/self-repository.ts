import { normalizePackageName } from '../deps/dependency-versions.js';
import type { FrameworkDetector } from './detector.js';
import { FRAMEWORK_DETECTORS } from './registry.js';

/**
 * A framework's own repository: its root `pyproject.toml`/`setup.py` publishes one of the
 * framework's distributions (`openai-agents`) and it holds the framework's import package
 * (`src/agents/`). Such a repository is scanned for its examples and cookbook code as uses of
 * the framework: the package itself is the framework's implementation, not a use of it, and it
 * does not shadow the framework's import name (docs/scanner-calibration.md, "Framework
 * repositories").
 */
export interface SelfRepository {
  detector: FrameworkDetector;
  /** Import roots of the framework as folder paths (`agents`, `google/adk`). */
  packagePaths: string[];
}

/** Folders whose code is always a use of the framework, even under a folder named like it. */
const USE_FOLDERS = /^(examples?|cookbooks?|docs?|notebooks?|samples?|tutorials?|demos?)\//i;

export function selfRepository(
  ownPackages: ReadonlySet<string>,
  pythonPaths: readonly string[],
): SelfRepository | null {
  if (ownPackages.size === 0) return null;
  for (const detector of FRAMEWORK_DETECTORS) {
    if (!detector.packages.some((p) => ownPackages.has(normalizePackageName(p)))) continue;
    const packagePaths = detector.modules.filter((m) => !m.endsWith('*')).map((m) => m.replace(/\./g, '/'));
    const self: SelfRepository = { detector, packagePaths };
    if (pythonPaths.some((p) => isFrameworkSource(p, self))) return self;
  }
  return null;
}

/** A file of the framework's own package (`src/agents/run.py`), outside example folders. */
export function isFrameworkSource(path: string, self: SelfRepository): boolean {
  if (USE_FOLDERS.test(path)) return false;
  return self.packagePaths.some((p) => path.startsWith(`${p}/`) || path.includes(`/${p}/`));
}

/** The framework's import roots, which the repository's own package no longer shadows. */
export function frameworkImportRoots(self: SelfRepository): string[] {
  return self.packagePaths.map((p) => p.split('/')[0] as string);
}
