import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { main as cliMain } from './cli-main.js';

/**
 * The scanner as one file: `npm run build` bundles cli-main.js and everything it imports
 * (web-tree-sitter included) into `scanner-bundle.cjs`, then runs one scan with it and saves
 * V8's code cache of it (`scanner-bundle.cjs.cache`, written by build-code-cache.ts). A scanner
 * process is short: without the cache it spends tens of milliseconds parsing and compiling the
 * same JavaScript every time. V8 checks the cache itself (its version, flags and the source)
 * and compiles from source when it does not match, so a stale cache costs only its read.
 */
export const BUNDLE_FILE = fileURLToPath(new URL('./scanner-bundle.cjs', import.meta.url));
export const CODE_CACHE_FILE = `${BUNDLE_FILE}.cache`;
/** The module the bundle is built from: a bundle older than it is stale. */
const BUNDLE_ENTRY = fileURLToPath(new URL('./cli-main.js', import.meta.url));

export type CodeCacheState = 'accepted' | 'rejected' | 'absent' | 'not_used';

export interface LoadedBundle {
  main: typeof cliMain;
  script: vm.Script;
  codeCache: CodeCacheState;
}

/**
 * Built-in modules the bundle's dependencies load up front but the scanner never uses:
 * commander loads child_process (with net and dgram) for executable subcommands, which the
 * scanner has none of — several milliseconds of every scanner process. They load on first use.
 */
const LOADED_ON_FIRST_USE = new Set(['node:child_process', 'child_process']);

function bundleRequire(file: string): (id: string) => unknown {
  const require = createRequire(file);
  return (id) => {
    if (!LOADED_ON_FIRST_USE.has(id)) return require(id);
    let loaded: object | undefined;
    const target = () => {
      loaded ??= require(id) as object;
      return loaded;
    };
    return new Proxy(
      {},
      {
        get: (_, key) => Reflect.get(target(), key),
        has: (_, key) => Reflect.has(target(), key),
        ownKeys: () => Reflect.ownKeys(target()),
        getOwnPropertyDescriptor: (_, key) => {
          const d = Reflect.getOwnPropertyDescriptor(target(), key);
          return d === undefined ? undefined : { ...d, configurable: true };
        },
      },
    );
  };
}

function mtime(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

/**
 * Compiles and runs the bundle, with the code cache when `useCodeCache` and the cache is at least
 * as new as the bundle. Null when there is no bundle at least as new as the compiled modules.
 */
export function loadScannerBundle(useCodeCache: boolean): LoadedBundle | null {
  const bundleTime = mtime(BUNDLE_FILE);
  if (bundleTime === undefined || bundleTime < (mtime(BUNDLE_ENTRY) ?? 0)) return null;
  let cachedData: Buffer | undefined;
  if (useCodeCache && (mtime(CODE_CACHE_FILE) ?? -1) >= bundleTime)
    cachedData = readFileSync(CODE_CACHE_FILE);
  const source = readFileSync(BUNDLE_FILE, 'utf8');
  // The CommonJS wrapper, as Node's own loader would add it.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE_FILE,
    cachedData,
  });
  const codeCache: CodeCacheState = !useCodeCache
    ? 'not_used'
    : cachedData === undefined
      ? 'absent'
      : script.cachedDataRejected
        ? 'rejected'
        : 'accepted';
  const module = { exports: {} as { main?: typeof cliMain } };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper(module.exports, bundleRequire(BUNDLE_FILE), module, BUNDLE_FILE, path.dirname(BUNDLE_FILE));
  if (typeof module.exports.main !== 'function') throw new Error(`${BUNDLE_FILE}: no main export`);
  return { main: module.exports.main, script, codeCache };
}
