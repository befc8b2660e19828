import { generateManifestRecord } from './manifest-generator.js';
import {
  createGeneratorContext,
  type GeneratorContext,
  generatePing,
  repoIdentity,
} from './ping-generator.js';

export interface Batch {
  seed: number;
  count: number;
  start: number;
  end: number;
  manifest: boolean;
}

export interface BatchText {
  pings: string;
  manifest: string;
}

let cached: GeneratorContext | undefined;

/** The JSONL text of pings [start, end) (and their manifest rows): identical in any process. */
export function generateBatch(b: Batch): BatchText {
  if (!cached || cached.seed !== b.seed || cached.count !== b.count)
    cached = createGeneratorContext(b.seed, b.count);
  const ctx = cached;
  const pings: string[] = [];
  const manifest: string[] = [];
  for (let i = b.start; i < b.end; i++) {
    const id = repoIdentity(ctx, i);
    pings.push(`${JSON.stringify(generatePing(ctx, i, id))}\n`);
    if (b.manifest) manifest.push(`${JSON.stringify(generateManifestRecord(ctx, i, id))}\n`);
  }
  return { pings: pings.join(''), manifest: manifest.join('') };
}
