#!/usr/bin/env node
import { runScannerCli } from './cli-program.js';

process.exitCode = await runScannerCli(process.argv.slice(2));
