import { open, stat } from 'node:fs/promises';
import { CommandError } from './command.js';

/** How much of a file's head is looked at to tell text from binary. */
const SNIFF_BYTES = 8192;

/**
 * A file named on the command line, checked before any work starts (and before anything is
 * written): it exists, is a regular file, can be read and holds text. Every failure is one
 * line naming the option and the path, exit 2.
 */
export async function requireTextFile(file: string, option: string): Promise<void> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code;
    throw new CommandError(`${option} ${file}: ${why}`, 2);
  });
  if (info.isDirectory()) throw new CommandError(`${option} ${file}: is a directory, expected a file`, 2);
  if (!info.isFile()) throw new CommandError(`${option} ${file}: not a regular file`, 2);
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new CommandError(`${option} ${file}: cannot be read (${err.code})`, 2);
  });
  try {
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const nul = head.subarray(0, bytesRead).indexOf(0);
    if (nul >= 0)
      throw new CommandError(
        `${option} ${file}: a binary file (NUL byte at offset ${nul}), expected JSON lines`,
        2,
      );
  } finally {
    await handle.close();
  }
}
