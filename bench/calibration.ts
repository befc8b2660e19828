/**
 * Re-runs the scanner calibration on real checkouts (`npm run build && node dist/bench/calibration.js DIR`).
 *
 * DIR holds one checkout per labelled repository, named `owner+name` (as the labels'
 * `checkout` field). Each present checkout is scanned in-process; the fields a reader labelled
 * by hand (test/scanner/calibration/labels.json) are compared exactly and a per-field table of
 * exact-match rates is printed, with every mismatch. Absent checkouts are listed, not guessed.
 *
 *   node dist/bench/calibration.js /tmp/checkouts [--json out.json]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scanRepository } from '../src/scanner/index.js';
import {
  CALIBRATION_FIELDS,
  type CalibrationLabel,
  compareLabel,
} from '../test/support/calibration-compare.js';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir || !existsSync(dir)) {
  process.stderr.write('calibration: give the directory of checkouts (owner+name folders)\n');
  process.exit(2);
}
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const labelsPath = path.resolve(import.meta.dirname, '../../test/scanner/calibration/labels.json');
const labels = JSON.parse(readFileSync(labelsPath, 'utf8')).repositories as CalibrationLabel[];

const hits = new Map<string, number>(CALIBRATION_FIELDS.map((f) => [f, 0]));
const totals = new Map<string, number>(CALIBRATION_FIELDS.map((f) => [f, 0]));
const missing: string[] = [];
const mismatches: string[] = [];
const perRepo: Record<string, unknown> = {};
for (const label of labels) {
  const checkout = path.join(dir, label.checkout);
  if (!existsSync(checkout)) {
    missing.push(label.repo);
    continue;
  }
  const ping = (await scanRepository(checkout, { repoName: label.repo })) as Record<string, unknown>;
  const result = compareLabel(label, ping);
  perRepo[label.repo] = result;
  for (const r of result) {
    totals.set(r.field, (totals.get(r.field) ?? 0) + 1);
    if (r.match) hits.set(r.field, (hits.get(r.field) ?? 0) + 1);
    else
      mismatches.push(
        `${label.repo}  ${r.field}: want ${JSON.stringify(r.want)} got ${JSON.stringify(r.got)}`,
      );
  }
}
const lines = ['| field | exact matches | rate |', '|---|---|---|'];
for (const f of CALIBRATION_FIELDS) {
  const n = totals.get(f) ?? 0;
  const h = hits.get(f) ?? 0;
  lines.push(`| ${f} | ${h}/${n} | ${n === 0 ? '-' : `${Math.round((h / n) * 100)} %`} |`);
}
process.stdout.write(`${lines.join('\n')}\n\n`);
if (mismatches.length > 0) process.stdout.write(`mismatches:\n  ${mismatches.join('\n  ')}\n`);
if (missing.length > 0) process.stdout.write(`checkouts absent (not scanned): ${missing.join(', ')}\n`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(perRepo, null, 2));
