import { existsSync } from 'node:fs';
import path from 'node:path';

/** The read-only `shared/` folder that sits beside the repository checkout (CI and sessions). */
export function sharedDir(): string {
  const beside = path.resolve(import.meta.dirname, '../../../shared');
  if (existsSync(path.join(beside, 'conformance'))) return beside;
  if (existsSync('/work/shared/conformance')) return '/work/shared';
  throw new Error(`shared/ not found beside the checkout (${beside})`);
}

export function conformanceDir(): string {
  return path.join(sharedDir(), 'conformance');
}
