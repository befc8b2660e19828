import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** Decodes one line; pure-ASCII lines (most pings) take the cheaper one-byte path. */
export function decodeLine(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/**
 * Calls `onLine(raw, lineNumber, bytes)` for every non-blank line of a text file, in order,
 * reading 1 MiB chunks (memory bounded by the chunk plus the longest line). Lines are found in
 * the bytes and decoded one by one, so no chunk-sized string is ever built (those land in V8's
 * large-object space and inflate the heap until a full GC). One await per chunk, not per
 * line. A last line without a trailing newline (a truncated write) is still delivered, so
 * the caller can report it.
 */
export async function forEachLine(
  file: string,
  /** `bytes` is the line's UTF-8 (a view valid only during the call: copy it to keep it). */
  onLine: (raw: string, line: number, bytes: Buffer) => void,
  onProgress?: (bytesRead: number) => void,
  /** Awaited after each chunk when it returns a promise (back-pressure from a slower consumer). */
  afterChunk?: () => Promise<void> | undefined,
): Promise<{ lines: number; bytes: number }> {
  return forEachLineBytes(
    file,
    (bytes, line) => {
      const raw = decodeLine(bytes);
      if (raw.trim() !== '') onLine(raw, line, bytes);
    },
    onProgress,
    afterChunk,
  );
}

/**
 * The bytes of every line (without its newline and a trailing CR) that is not empty, numbered
 * like `forEachLine` numbers them, without decoding any: for a pass that only copies lines.
 * `bytes` is a view into the read buffer, valid only during the call.
 */
export async function forEachLineBytes(
  file: string,
  onLine: (bytes: Buffer, line: number) => void,
  onProgress?: (bytesRead: number) => void,
  afterChunk?: () => Promise<void> | undefined,
): Promise<{ lines: number; bytes: number }> {
  const handle = await open(file, 'r');
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  // Bytes [0, filled) of `buffer` are unread data; a line longer than the buffer grows it.
  let filled = 0;
  let line = 0;
  let bytes = 0;
  const emit = (slice: Buffer) => {
    line++;
    let end = slice.length;
    if (end > 0 && slice[end - 1] === 13) end--;
    if (end > 0) onLine(slice.subarray(0, end), line);
  };
  try {
    for (;;) {
      if (filled === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const end = filled + bytesRead;
      let start = 0;
      for (
        let nl = buffer.indexOf(NEWLINE, start);
        nl !== -1 && nl < end;
        nl = buffer.indexOf(NEWLINE, start)
      ) {
        emit(buffer.subarray(start, nl));
        start = nl + 1;
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
      onProgress?.(bytes);
      const wait = afterChunk?.();
      if (wait) await wait;
    }
    if (filled > 0) emit(buffer.subarray(0, filled));
  } finally {
    await handle.close();
  }
  return { lines: line, bytes };
}

/** A run of whole lines of a file, in a buffer of its own (so it can be moved to a worker thread). */
export interface LineChunk {
  /** 0-based position of the chunk in the file. */
  seq: number;
  bytes: Buffer;
  /** 1-based number of the chunk's first line. */
  firstLine: number;
  /** Lines in the chunk, blank ones included (the last line of a file may lack its newline). */
  lineCount: number;
}

/**
 * Reads a file as chunks of whole lines of about `chunkBytes` each (a longer line makes a
 * chunk alone). Where chunks end depends only on the file's bytes, so two readings of one
 * file cut it the same way. `onChunk` owns each chunk's buffer; its promise is awaited before
 * the next read (back-pressure).
 */
export async function forEachChunk(
  file: string,
  chunkBytes: number,
  onChunk: (chunk: LineChunk) => void | Promise<void>,
  onProgress?: (bytesRead: number) => void,
  /** Where read buffers come from (a pool whose buffers the consumer gives back); a new one each by default. */
  allocate: (minBytes: number) => Buffer = (n) => Buffer.allocUnsafeSlow(n),
): Promise<{ lines: number; bytes: number }> {
  const handle = await open(file, 'r');
  let carry: Buffer = Buffer.alloc(0);
  let size = chunkBytes;
  let seq = 0;
  let line = 1;
  let bytes = 0;
  const emit = async (chunk: Buffer, lineCount: number) => {
    await onChunk({ seq: seq++, bytes: chunk, firstLine: line, lineCount });
    line += lineCount;
  };
  try {
    for (;;) {
      const buffer = allocate(Math.max(size, carry.length + 1));
      carry.copy(buffer, 0);
      const { bytesRead } = await handle.read(buffer, carry.length, buffer.length - carry.length, null);
      const filled = carry.length + bytesRead;
      bytes += bytesRead;
      if (bytesRead === 0) {
        onProgress?.(bytes);
        if (filled > 0) await emit(buffer.subarray(0, filled), countNewlines(buffer, filled) + 1);
        break;
      }
      const lastNewline = buffer.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline === -1) {
        // No line ends in this buffer: read on with a bigger one.
        carry = buffer.subarray(0, filled);
        size = buffer.length * 2;
        continue;
      }
      carry = Buffer.from(buffer.subarray(lastNewline + 1, filled));
      size = chunkBytes;
      onProgress?.(bytes);
      await emit(buffer.subarray(0, lastNewline + 1), countNewlines(buffer, lastNewline + 1));
    }
  } finally {
    await handle.close();
  }
  return { lines: line - 1, bytes };
}

function countNewlines(b: Buffer, end: number): number {
  let n = 0;
  for (let i = b.indexOf(NEWLINE); i !== -1 && i < end; i = b.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/**
 * Calls `onLine(bytes, at)` for each line of a chunk that is not empty (`at` counts every line,
 * empty ones included; a trailing CR is dropped), like `forEachLineBytes` does for a file.
 */
export function forEachLineOf(chunk: Buffer, onLine: (bytes: Buffer, at: number) => void): void {
  let at = 0;
  let start = 0;
  const n = chunk.length;
  while (start < n) {
    let nl = chunk.indexOf(NEWLINE, start);
    if (nl === -1) nl = n;
    let end = nl;
    if (end > start && chunk[end - 1] === 13) end--;
    if (end > start) onLine(chunk.subarray(start, end), at);
    at++;
    start = nl + 1;
  }
}
