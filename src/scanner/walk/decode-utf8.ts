import { isAscii } from 'node:buffer';

/** Bytes checked for ASCII at a time. */
const BLOCK_BYTES = 16 * 1024;

/**
 * `buf.toString('utf8')`, the same string, faster on text that is mostly ASCII. V8 decodes UTF-8
 * one character at a time from the first non-ASCII byte on: a 460 KB poetry.lock with four
 * non-ASCII bytes took 1.1 ms, 0.7 ms here; 9.1 MB of four repositories' sources, 9.7 → 7.0 ms.
 * The ASCII blocks are copied as Latin-1 (their bytes are their characters) and only the blocks
 * holding other bytes go through the UTF-8 decoder.
 *
 * A piece ends only after an ASCII byte (or at the end of the buffer). A UTF-8 decoder is back in
 * its initial state after an ASCII byte, which is always a character of its own, so decoding the
 * pieces one by one gives what decoding the whole gives, replacement characters for malformed
 * sequences included (test/scanner/decode-utf8.test.ts compares them on random bytes).
 */
export function decodeUtf8(buf: Buffer): string {
  if (isAscii(buf)) return buf.toString('latin1');
  if (buf.length <= BLOCK_BYTES) return buf.toString('utf8');
  const pieces: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + BLOCK_BYTES, buf.length);
    if (isAscii(buf.subarray(start, end))) {
      pieces.push(buf.toString('latin1', start, end));
    } else {
      while (end < buf.length && (buf[end - 1] as number) >= 0x80) end++;
      pieces.push(buf.toString('utf8', start, end));
    }
    start = end;
  }
  return pieces.join('');
}
