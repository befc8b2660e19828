import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { planPopulation, populationManifest } from '../../src/demo/population.js';
import { servePopulation } from './e2e-population.js';

/**
 * Writes a seeded population of bare git repositories under `<out>/serve` (shared object
 * store, see servePopulation) and a manifest of the members that exist, with clone URLs
 * `<urlBase>/<owner>/<name>.git`. For runs where another process serves the repositories
 * (the container proof's `git daemon`, the network-namespace test's file:// URLs).
 *
 *   node dist/test/support/write-population.js --count 300 --out DIR --url-base git://127.0.0.1:9418 --manifest FILE
 */
export async function writePopulation(options: {
  count: number;
  out: string;
  urlBase: string;
  manifest: string;
  seed?: number;
}): Promise<{ serveRoot: string; repos: number }> {
  const serveRoot = path.join(options.out, 'serve');
  const planned = planPopulation({
    root: path.join(options.out, 'population'),
    count: options.count,
    seed: options.seed ?? 14,
  }).filter((p) => p.files !== undefined);
  const { server, members } = await servePopulation(planned, serveRoot);
  await server.stop();
  const base = options.urlBase.replace(/\/$/, '');
  const rows = populationManifest(members, (m) => `${base}/${m.fullName}.git`);
  mkdirSync(path.dirname(options.manifest), { recursive: true });
  writeFileSync(options.manifest, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { serveRoot, repos: rows.length };
}

function flag(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) {
    process.stderr.write(`write-population: --${name} is required\n`);
    process.exit(2);
  }
  return value;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(flag('count'));
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write('write-population: --count must be a positive integer\n');
    process.exit(2);
  }
  const result = await writePopulation({
    count,
    out: flag('out'),
    urlBase: flag('url-base'),
    manifest: flag('manifest'),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
