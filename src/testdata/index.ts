export type { TestDataShape } from './generate-batch.js';
export { generateManifestRecord } from './manifest-generator.js';
export {
  createGeneratorContext,
  type GeneratorContext,
  generatePing,
  type RepoIdentity,
  repoIdentity,
  SYNTHETIC_SCANNER_VERSION,
} from './ping-generator.js';
export { createRandom, hash32, hashHex, type Random } from './random.js';
export { REFERENCE_SCANNER_VERSION, toReferenceShape } from './reference-shape.js';
export { type TestDataOptions, type TestDataResult, writeTestData } from './write-test-data.js';
