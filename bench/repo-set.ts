/**
 * What the scanner benches share: their flags, the repositories under `--repos DIR` (one
 * checked-out repository per subdirectory, named owner+name, narrowed by `--only a,b`), and the
 * median they report.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);

/** The value after `name` on the command line. */
export function benchArg(name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

/** `--repos DIR`'s repositories, sorted; exits 2 when DIR is missing. */
export function benchRepos(): { reposDir: string; repos: string[] } {
  const reposDir = benchArg('--repos');
  if (!reposDir || !existsSync(reposDir)) {
    process.stderr.write('error: --repos DIR (one checked-out repository per subdirectory) is required\n');
    process.exit(2);
  }
  const only = benchArg('--only')?.split(',');
  const repos = readdirSync(reposDir)
    .filter((n) => statSync(path.join(reposDir, n)).isDirectory())
    .filter((n) => only === undefined || only.includes(n))
    .sort();
  return { reposDir, repos };
}

/** The median; the mean of the middle two for an even count, NaN for none. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[mid] as number)
      : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
