#!/usr/bin/env node
import { loadScannerBundle } from './bundle-loader.js';
import { tuneHeapForScanning } from './heap-tuning.js';
import { chooseWasmTier } from './wasm-tier.js';

// The WASM tier first: the flag is part of what V8 checks the bundle's code cache against, and
// the cache is built by a scan of a small repository (liftoff only), so only then is it used.
const argv = process.argv.slice(2);
tuneHeapForScanning();
const liftoffOnly = chooseWasmTier(argv);
const main = loadScannerBundle(liftoffOnly)?.main ?? (await import('./cli-main.js')).main;
process.exitCode = await main(argv);
