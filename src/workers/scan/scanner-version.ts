import type { Config } from '../../core/config.js';
import { runProcess } from '../../core/run-process.js';
import { PIPELINE_VERSION } from '../../core/version.js';
import { resolveScannerCommand } from './scanner-runner.js';

export type ScannerVersion = { ok: true; version: string; source: string } | { ok: false; problem: string };

/**
 * The version string the configured scanner writes into its pings (`scanner_version`), the
 * scanner part of a job's identity: STRATUM_SCANNER_VERSION when set; the built-in scanner's
 * own version; else the last word of the first line `<scanner> --version` prints.
 */
export async function resolveScannerVersion(config: Config): Promise<ScannerVersion> {
  if (config.scannerVersion)
    return { ok: true, version: config.scannerVersion, source: 'STRATUM_SCANNER_VERSION' };
  if (!config.scannerCommand) return { ok: true, version: PIPELINE_VERSION, source: 'built-in scanner' };
  const cmd = resolveScannerCommand(config);
  const r = await runProcess(cmd.command, [...cmd.prefixArgs, '--version'], {
    timeoutMs: 15_000,
    maxStdoutBytes: 64 * 1024,
  });
  const first = r.stdout.split('\n').find((l) => l.trim() !== '');
  const version = first?.trim().split(/\s+/).pop();
  if (r.exitCode !== 0 || !version || version.length > 100 || /[\0-\x1f\x7f]/.test(version))
    return {
      ok: false,
      problem: `\`${cmd.description} --version\` did not print a version (exit ${r.exitCode ?? r.signal}); set STRATUM_SCANNER_VERSION`,
    };
  return { ok: true, version, source: `${cmd.description} --version` };
}
