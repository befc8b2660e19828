import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Reads files into one buffer, grown to the largest file read so far, so a file is neither
 * zero-filled nor faulted into fresh pages (a 934 KB uv.lock is 228 pages). What `read` returns
 * is valid until the next `read`. One per scan: nothing is kept from one scan to the next.
 */
export class FileReader {
  private buffer = Buffer.allocUnsafeSlow(64 * 1024);

  /** The file's bytes, `too_large` above the cap (checked before reading), null if unreadable. */
  read(abs: string | Buffer, cap: number): Buffer | 'too_large' | null {
    let fd: number | undefined;
    try {
      // The walk listed a regular file; whatever replaced it since (a link, a pipe) is not read.
      fd = openSync(abs, READ_FLAGS);
      const st = fstatSync(fd);
      if (!st.isFile()) return null;
      const size = st.size;
      if (size > cap) return 'too_large';
      if (size > this.buffer.length)
        this.buffer = Buffer.allocUnsafeSlow(Math.min(cap, Math.max(size, 2 * this.buffer.length)));
      let off = 0;
      while (off < size) {
        const n = readSync(fd, this.buffer, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return this.buffer.subarray(0, off);
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
