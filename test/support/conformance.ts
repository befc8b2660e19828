import path from 'node:path';

/** The real pings of the public Python scanner, kept in the repository (see its README.md). */
export function conformanceDir(): string {
  return path.resolve(import.meta.dirname, '../conformance');
}
