import { generateManifestRecord } from './manifest-generator.js';
import {
  createGeneratorContext,
  type GeneratorContext,
  generatePing,
  repoIdentity,
} from './ping-generator.js';
import { toReferenceShape } from './reference-shape.js';

export interface Batch {
  seed: number;
  count: number;
  start: number;
  end: number;
  manifest: boolean;
  /** 'reference': rows in the shape the reference Python pipeline writes (reference-shape.ts). */
  shape?: TestDataShape;
}

/** 'contract': full contract pings (default); 'reference': the reference pipeline's lighter rows. */
export type TestDataShape = 'contract' | 'reference';

/** A batch's JSONL as UTF-8 bytes (each in memory of its own, so a worker can transfer it). */
export interface BatchBytes {
  pings: Buffer;
  manifest: Buffer;
}

/** What a generator worker sends back: a batch's bytes (transferred, so plain Uint8Arrays on arrival). */
export interface BatchReply {
  id: number;
  pings: Uint8Array;
  manifest: Uint8Array;
}

/** Lines appended as UTF-8 into a growing buffer: no joined batch-sized string is ever built. */
class LineBuffer {
  private bytes: Buffer;
  private used = 0;
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafeSlow(size);
  }
  push(text: string): void {
    // A UTF-8 line is at most 3 bytes per UTF-16 unit, plus the newline.
    const most = text.length * 3 + 1;
    if (this.used + most > this.bytes.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.used + most));
      this.bytes.copy(next, 0, 0, this.used);
      this.bytes = next;
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
    this.bytes[this.used++] = 0x0a;
  }
  /** The lines written, as a view of memory this buffer owns. */
  take(): Buffer {
    return this.bytes.subarray(0, this.used);
  }
}

let cached: GeneratorContext | undefined;

/** The JSONL of pings [start, end) (and their manifest rows) as UTF-8: identical in any process. */
export function generateBatch(b: Batch): BatchBytes {
  if (!cached || cached.seed !== b.seed || cached.count !== b.count)
    cached = createGeneratorContext(b.seed, b.count);
  const ctx = cached;
  const rows = b.end - b.start;
  const pings = new LineBuffer(rows * 6 * 1024);
  const manifest = new LineBuffer(b.manifest ? rows * 1024 : 1);
  for (let i = b.start; i < b.end; i++) {
    const id = repoIdentity(ctx, i);
    const ping = generatePing(ctx, i, id);
    pings.push(JSON.stringify(b.shape === 'reference' ? toReferenceShape(ping, b.seed, i) : ping));
    if (b.manifest) manifest.push(JSON.stringify(generateManifestRecord(ctx, i, id)));
  }
  return { pings: pings.take(), manifest: manifest.take() };
}
