#!/usr/bin/env node
// Mutation testing of the security- and data-critical modules, one Stryker run per module with
// only the tests that exercise it (a run over every test for every mutant takes hours on two
// cores). Writes reports/mutation/<module>/index.html, reports/mutation/mutation.json (all
// modules merged, mutation-testing-report-schema) and reports/mutation/index.html, prints the
// score per module, and exits 1 when a module scores under its threshold.
//
//   node scripts/mutation.mjs                 every module
//   node scripts/mutation.mjs redact access   the named modules
//   node scripts/mutation.mjs --list          the table
//   node scripts/mutation.mjs --force ...     ignore the incremental files (re-test every mutant)
//
// Incremental: each module keeps Stryker's incremental file under test/mutation/incremental/,
// committed, so a run re-tests only the mutants whose code or tests changed since it was made.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATION_MODULES } from '../test/mutation/modules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = path.join(root, 'reports', 'mutation');
const force = process.argv.includes('--force');
const args = process.argv.slice(2).filter((a) => a !== '--force');

if (args.includes('--list')) {
  for (const m of MUTATION_MODULES)
    console.log(`${m.name.padEnd(16)} ${m.files.join(' ')}  ←  ${m.tests.join(' ')}`);
  process.exit(0);
}
const unknown = args.filter((a) => !MUTATION_MODULES.some((m) => m.name === a));
if (unknown.length > 0) {
  console.error(`unknown module ${unknown.join(', ')}: see node scripts/mutation.mjs --list`);
  process.exit(2);
}
const chosen = args.length > 0 ? MUTATION_MODULES.filter((m) => args.includes(m.name)) : MUTATION_MODULES;
if (!existsSync(path.join(root, 'dist', 'src', 'cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first (some tests start the built CLI)');
  process.exit(2);
}

mkdirSync(reportDir, { recursive: true });
const merged = { schemaVersion: '2', thresholds: { high: 90, low: 85 }, files: {} };
const rows = [];
for (const m of chosen) {
  const started = Date.now();
  const moduleDir = path.join(reportDir, m.name);
  const run = spawnSync('npx', ['stryker', 'run', ...(force ? ['--force'] : [])], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, STRATUM_MUTATION_MODULE: m.name },
  });
  const seconds = (Date.now() - started) / 1000;
  const reportFile = path.join(moduleDir, 'mutation.json');
  if (run.status !== 0 || !existsSync(reportFile)) {
    rows.push({ name: m.name, score: Number.NaN, threshold: m.threshold, seconds, detail: 'stryker failed' });
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  Object.assign(merged.files, report.files);
  const counts = countStatuses(report.files);
  rows.push({ name: m.name, score: score(counts), threshold: m.threshold, seconds, counts });
}

writeFileSync(path.join(reportDir, 'mutation.json'), `${JSON.stringify(merged)}\n`);
writeFileSync(path.join(reportDir, 'index.html'), indexPage(rows));

let failed = false;
console.log('\nmodule            score  threshold  killed survived  no-cov  timeout  seconds');
for (const r of rows) {
  const ok = r.score >= r.threshold;
  if (!ok) failed = true;
  const c = r.counts ?? {};
  console.log(
    `${r.name.padEnd(16)} ${Number.isNaN(r.score) ? '  n/a' : r.score.toFixed(1).padStart(5)}  ${String(r.threshold).padStart(9)}  ${String(c.Killed ?? '-').padStart(6)} ${String(c.Survived ?? '-').padStart(8)} ${String(c.NoCoverage ?? '-').padStart(7)} ${String(c.Timeout ?? '-').padStart(8)}  ${r.seconds.toFixed(0).padStart(7)}${ok ? '' : '  BELOW THRESHOLD'}${r.detail ? `  (${r.detail})` : ''}`,
  );
}
console.log(`\nreports: ${path.relative(root, reportDir)}/index.html, mutation.json`);
process.exit(failed ? 1 : 0);

function countStatuses(files) {
  const counts = {};
  for (const file of Object.values(files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  return counts;
}

/** Stryker's mutation score: detected (killed + timeout) over valid mutants (no compile/runtime errors, not ignored). */
function score(c) {
  const detected = (c.Killed ?? 0) + (c.Timeout ?? 0);
  const valid = detected + (c.Survived ?? 0) + (c.NoCoverage ?? 0);
  return valid === 0 ? 100 : (100 * detected) / valid;
}

function indexPage(results) {
  const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const lines = results
    .map(
      (r) =>
        `<tr><td><a href="${escapeHtml(r.name)}/index.html">${escapeHtml(r.name)}</a></td><td>${Number.isNaN(r.score) ? 'n/a' : r.score.toFixed(1)}</td><td>${r.threshold}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><meta charset="utf-8"><title>Mutation testing</title>
<h1>Mutation score per critical module</h1>
<table><tr><th>module</th><th>score %</th><th>threshold %</th></tr>
${lines}
</table><p>All modules merged: <a href="mutation.json">mutation.json</a>.</p>\n`;
}
