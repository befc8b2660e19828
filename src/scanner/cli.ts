#!/usr/bin/env node
import { statSync } from 'node:fs';

// `npm run build` bundles cli-entry.js and everything it imports into scanner-bundle.js (bar
// web-tree-sitter, which finds its .wasm beside itself), so start-up does not resolve and load
// some ninety modules one by one. A missing bundle, or one older than the compiled modules (a
// bare `tsc` since), is not used.
const bundle = new URL('./scanner-bundle.js', import.meta.url);
const entry = new URL('./cli-entry.js', import.meta.url);
const bundleTime = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const useBundle = bundleTime >= (statSync(entry, { throwIfNoEntry: false })?.mtimeMs ?? 0);
await import(useBundle ? bundle.href : entry.href);
