import { open } from 'node:fs/promises';

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Calls `onLine(raw, lineNumber)` for every non-blank line of a text file, in order, reading
 * 4 MiB chunks (memory bounded by the chunk plus the longest line). Faster than readline
 * for large files: one await per chunk, not per line. A last line without a trailing newline
 * (a truncated write) is still delivered, so the caller can report it.
 */
export async function forEachLine(
  file: string,
  onLine: (raw: string, line: number) => void,
  onProgress?: (bytesRead: number) => void,
): Promise<{ lines: number; bytes: number }> {
  const handle = await open(file, 'r');
  const decoder = new TextDecoder('utf-8');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry = '';
  let line = 0;
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const text = carry + decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        line++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > start) {
          const raw = text.slice(start, end);
          if (raw.trim() !== '') onLine(raw, line);
        }
        start = nl + 1;
      }
      carry = text.slice(start);
      onProgress?.(bytes);
    }
    carry += decoder.decode();
    if (carry.trim() !== '') onLine(carry, line + 1);
    if (carry !== '') line++;
  } finally {
    await handle.close();
  }
  return { lines: line, bytes };
}
