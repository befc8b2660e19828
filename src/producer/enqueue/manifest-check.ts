import { CommandError } from '../../core/command.js';
import { requireTextFile } from '../../core/input-file.js';
import { readManifestJobs } from './manifest-jobs.js';

/**
 * Refuses, before Redis or any file is touched, a manifest that cannot give one job: not a
 * text file, empty, or with no line that names a repository. Stops at the first usable line.
 */
export async function requireUsableManifest(manifestPath: string, option = '--manifest'): Promise<void> {
  await requireTextFile(manifestPath, option);
  let lines = 0;
  let first: { line: number; reason: string } | undefined;
  for await (const item of readManifestJobs(manifestPath)) {
    if (item.ok) return;
    lines++;
    first ??= item.skipped;
  }
  if (!first) throw new CommandError(`${option} ${manifestPath}: empty, no repository to scan`, 2);
  throw new CommandError(
    `${option} ${manifestPath}: none of its ${lines} line${lines === 1 ? '' : 's'} names a repository ` +
      `(line ${first.line}: ${first.reason.slice(0, 120)})`,
    2,
  );
}
