import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `{relative path: content}` under `dir`. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
