/**
 * What the scanner process runs once its code is loaded (cli.ts: from the one-file bundle;
 * cli-entry.ts: module by module). The WASM tier is chosen before this code is compiled
 * (`wasm-tier.ts`).
 */
import { type CliIo, runScannerCli } from './cli-program.js';
import { loadPythonParser } from './parse/python-parser.js';

export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  if (argv[0] === 'scan' || argv[0] === 'serve') {
    // Start compiling the grammar now: V8 compiles WASM off the main thread while the rest of
    // the start-up runs. A failure surfaces where the scan awaits the same promise.
    loadPythonParser().catch(() => {});
  }
  return runScannerCli(argv, io);
}
