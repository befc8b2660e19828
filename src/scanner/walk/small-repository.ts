import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';
import { isSkippedDir } from './file-kinds.js';

/**
 * Whether `root` holds fewer than `maxSources` Python files and notebooks, counted the way the
 * walk goes (no symbolic links, no skipped directories) and stopping as soon as the answer is
 * known, so a large repository costs a few directory listings. Unreadable means small.
 */
export function hasFewPythonSources(root: string, maxSources: number, maxDirs = 2000): boolean {
  let sources = 0;
  let dirs = 0;
  const stack = [root];
  while (stack.length > 0) {
    if (++dirs > maxDirs) return false;
    const dir = stack.pop() as string;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const d of dirents) {
      if (d.isDirectory()) {
        if (!isSkippedDir(d.name)) stack.push(path.join(dir, d.name));
      } else if (d.isFile() && (d.name.endsWith('.py') || d.name.endsWith('.ipynb'))) {
        if (++sources >= maxSources) return false;
      }
    }
  }
  return true;
}
