/**
 * The scanner process: `stratum-scan` (cli.ts) runs this module, bundled into one file at build
 * time (scanner-bundle.js) so start-up does not resolve and load some fifty modules one by one.
 */
import { setFlagsFromString } from 'node:v8';

// A scan is a short-lived process. V8's optimising tier for WebAssembly recompiles the hot
// grammar functions (a large lexer among them) on background threads, which costs more CPU than
// it saves before the process exits: without it a typical repository takes ~15-20 % less CPU
// and ~20 MB less memory, and a 1,000-file one about the same (bench/scanner.ts). Must be set
// before any WASM compiles; an unknown flag only prints a warning on stderr.
setFlagsFromString('--liftoff-only');

const argv = process.argv.slice(2);
if (argv[0] === 'scan') {
  // Start compiling the grammar now: V8 compiles WASM off the main thread while the rest of the
  // scanner's modules load. A failure surfaces where the scan awaits the same promise.
  const { loadPythonParser } = await import('./parse/python-parser.js');
  loadPythonParser().catch(() => {});
}
const { runScannerCli } = await import('./cli-program.js');
process.exitCode = await runScannerCli(argv);
