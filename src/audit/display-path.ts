import path from 'node:path';
import { projectRoot } from '../core/project-root.js';

/** A path as the report shows it: relative to the project when inside it (no local directories leak into published files). */
export function displayPath(file: string): string {
  const rel = path.relative(projectRoot(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
