import { setFlagsFromString } from 'node:v8';
import { hasFewPythonSources } from './walk/small-repository.js';

/** Python sources (files + notebooks) below which the optimising WASM tier is off. */
const LIFTOFF_ONLY_BELOW_SOURCES = 500;

/**
 * A scan of a small repository is a short-lived process. V8's optimising tier for WebAssembly
 * recompiles the hot grammar and parser functions on background threads, which then costs more
 * CPU than it saves before the process exits: without it a typical repository takes ~20 % less
 * CPU and ~20 MB less memory. Large repositories keep it (they parse long enough to gain). Must
 * run before any WASM compiles — and before the bundle is compiled, since the flag is part of
 * what V8 checks a code cache against. An unknown flag only warns on stderr. Returns whether the
 * optimising tier is off.
 */
export function chooseWasmTier(argv: readonly string[]): boolean {
  const dir = argv[0] === 'scan' ? argv.slice(1).find((a) => !a.startsWith('-')) : undefined;
  if (dir === undefined || !hasFewPythonSources(dir, LIFTOFF_ONLY_BELOW_SOURCES)) return false;
  setFlagsFromString('--liftoff-only');
  return true;
}
