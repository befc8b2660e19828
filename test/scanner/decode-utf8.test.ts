import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { decodeUtf8 } from '../../src/scanner/walk/decode-utf8.js';

const BLOCK = 16 * 1024;

describe('decodeUtf8', () => {
  it('gives what toString("utf8") gives on ASCII, on mostly ASCII text and across block edges', () => {
    const ascii = Buffer.from('x = 1\n'.repeat(10_000));
    expect(decodeUtf8(ascii)).toBe(ascii.toString('utf8'));
    for (const char of ['é', '€', '😀', '\ufeff']) {
      for (const at of [0, 1, BLOCK - 3, BLOCK - 2, BLOCK - 1, BLOCK, 3 * BLOCK - 1, ascii.length - 1]) {
        const buf = Buffer.concat([ascii.subarray(0, at), Buffer.from(char), ascii.subarray(at)]);
        expect(decodeUtf8(buf)).toBe(buf.toString('utf8'));
      }
    }
  });

  it('replaces malformed sequences as toString("utf8") does, on random bytes', () => {
    const random = mulberry32(20261207);
    const high = [0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf8, 0xff];
    for (let round = 0; round < 200; round++) {
      const length = Math.floor(random() * 4 * BLOCK) + 1;
      const buf = Buffer.alloc(length, 0x61);
      // Runs of high bytes (valid and malformed sequences alike) at random places, some long.
      const runs = Math.floor(random() * 12);
      for (let r = 0; r < runs; r++) {
        const at = Math.floor(random() * length);
        const runLength = random() < 0.2 ? Math.floor(random() * 2 * BLOCK) : Math.floor(random() * 8) + 1;
        for (let i = at; i < Math.min(length, at + runLength); i++)
          buf[i] = high[Math.floor(random() * high.length)] as number;
      }
      expect(decodeUtf8(buf) === buf.toString('utf8')).toBe(true);
    }
  });
});
