/**
 * The scanner process loaded module by module: what `cli.js` falls back to when the one-file
 * bundle is missing or older than the compiled modules (a bare `tsc` since the last build).
 */
import { tuneHeapForScanning } from './heap-tuning.js';
import { chooseWasmTier } from './wasm-tier.js';

const argv = process.argv.slice(2);
tuneHeapForScanning();
chooseWasmTier(argv);
const { main } = await import('./cli-main.js');
process.exitCode = await main(argv);
