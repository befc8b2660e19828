/**
 * The scanner process: `stratum-scan` (cli.ts) runs this module, bundled into one file at build
 * time (scanner-bundle.js) so start-up does not resolve and load some ninety modules one by one.
 */
import { setFlagsFromString } from 'node:v8';
import { hasFewPythonSources } from './walk/small-repository.js';

/** Python sources (files + notebooks) below which the optimising WASM tier is off. */
const LIFTOFF_ONLY_BELOW_SOURCES = 500;

const argv = process.argv.slice(2);
const dir = argv[0] === 'scan' ? argv.slice(1).find((a) => !a.startsWith('-')) : undefined;
// A scan of a small repository is a short-lived process. V8's optimising tier for WebAssembly
// recompiles the hot grammar functions (a large lexer among them) on background threads, which
// then costs more CPU than it saves before the process exits: without it a typical repository
// takes ~20 % less CPU and ~20 MB less memory. Large repositories keep it (they parse long
// enough to gain). Must be set before any WASM compiles; an unknown flag only warns on stderr.
if (dir !== undefined && hasFewPythonSources(dir, LIFTOFF_ONLY_BELOW_SOURCES))
  setFlagsFromString('--liftoff-only');
if (argv[0] === 'scan') {
  // Start compiling the grammar now: V8 compiles WASM off the main thread while the rest of the
  // scanner's modules load. A failure surfaces where the scan awaits the same promise.
  const { loadPythonParser } = await import('./parse/python-parser.js');
  loadPythonParser().catch(() => {});
}
const { runScannerCli } = await import('./cli-program.js');
process.exitCode = await runScannerCli(argv);
