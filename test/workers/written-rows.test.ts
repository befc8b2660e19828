import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPath } from '../../src/workers/writer/replacements.js';
import {
  identityChange,
  identityOfRow,
  RETRYABLE_REASONS,
  writtenIdentities,
} from '../../src/workers/writer/row-identity.js';
import { readWrittenRows, writtenRepoNames } from '../../src/workers/writer/written-rows.js';
import { tempDir } from '../support/tmp.js';

// Which repositories already have a row, and what each row says about the commit and scanner
// it describes: what `scan --resume` skips and `--rescan-changed` rescans (issue #13 point 6).

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function dataDir(files: Record<string, unknown[] | string>): string {
  const d = tempDir('stratum-written');
  cleanups.push(d.cleanup);
  for (const [name, rows] of Object.entries(files))
    writeFileSync(
      path.join(d.dir, name),
      typeof rows === 'string'
        ? rows
        : rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n',
    );
  return d.dir;
}

const ping = (name: string, extra: Record<string, unknown> = {}) => ({
  repo_full_name: name,
  scan_status: 'success',
  failure_reason: null,
  commit_sha: A,
  commit_source: 'head_sha',
  scanner_version: 'stratum-1.0.0',
  ...extra,
});

const record = (name: string, inner: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  repo_full_name: name,
  ping: inner,
  validation_errors: [],
  commit_sha: B,
  commit_source: 'head_sha',
  ...extra,
});

describe('the rows already written', () => {
  it('are every readable row of both files, results first; broken lines and nameless rows are not rows', async () => {
    const dir = dataDir({
      'scan_results.jsonl': [
        ping('r/one'),
        '{"repo_full_name": "torn',
        { repo_full_name: 7 },
        'null',
        ping('r/two'),
      ],
      'quarantine.jsonl': [record('q/one', {})],
    });
    const rows = [];
    for await (const r of readWrittenRows(dir)) rows.push([r.file, r.line, r.value.repo_full_name]);
    expect(rows).toEqual([
      ['results', 1, 'r/one'],
      ['results', 5, 'r/two'],
      ['quarantine', 1, 'q/one'],
    ]);
    expect([...(await writtenRepoNames(dir))].sort()).toEqual(['q/one', 'r/one', 'r/two']);
  });

  it('are none in an empty data directory, and the quarantine file alone is read', async () => {
    expect((await writtenRepoNames(dataDir({}))).size).toBe(0);
    const dir = dataDir({ 'quarantine.jsonl': [record('q/only', {})] });
    expect([...(await writtenRepoNames(dir))]).toEqual(['q/only']);
  });
});

describe('what a written row says about its identity', () => {
  it('a ping: its status, failure reason, commit and scanner version', () => {
    expect(
      identityOfRow('results', ping('x/y', { scan_status: 'failed', failure_reason: 'clone_404' }) as never),
    ).toEqual({
      file: 'results',
      status: 'failed',
      failureReason: 'clone_404',
      commit: A,
      scannerVersion: 'stratum-1.0.0',
    });
  });

  it('a moved_head row is about the frozen commit it was asked for, not the one it scanned', () => {
    const row = ping('x/y', { commit_sha: C, commit_source: 'moved_head', frozen_head_sha: A });
    expect(identityOfRow('results', row as never).commit).toBe(A);
  });

  it('empty or missing fields are unknown (null), never an empty string', () => {
    const row = ping('x/y', { commit_sha: '', scanner_version: '', failure_reason: '' });
    expect(identityOfRow('results', row as never)).toMatchObject({
      commit: null,
      scannerVersion: null,
      failureReason: null,
    });
    const bare = { repo_full_name: 'x/y', scan_status: 'success' };
    expect(identityOfRow('results', bare as never)).toMatchObject({ commit: null, scannerVersion: null });
  });

  it('a quarantine record: quarantined, no failure reason, the scanner version of its ping, its own commit', () => {
    const q = record('x/y', {
      scan_status: 'success',
      failure_reason: 'no_python',
      scanner_version: 'ext-2',
      commit_sha: C,
    });
    expect(identityOfRow('quarantine', q as never)).toEqual({
      file: 'quarantine',
      status: 'quarantined',
      failureReason: null,
      commit: B,
      scannerVersion: 'ext-2',
    });
    // A record whose ping is not an object (the scanner printed a string) knows no scanner version.
    const odd = record('x/y', 'garbage' as never, { scanner_version: 'outer' });
    expect(identityOfRow('quarantine', odd as never).scannerVersion).toBe('outer');
    const none = record('x/y', null as never);
    expect(identityOfRow('quarantine', none as never).scannerVersion).toBeNull();
  });

  it('the current row of each repository: the first in the files, overridden by the last journaled replacement', async () => {
    const dir = dataDir({
      'scan_results.jsonl': [ping('r/one'), ping('r/one', { commit_sha: C }), ping('r/two')],
      'quarantine.jsonl': [record('q/one', { scanner_version: 'ext-2' })],
      [path.basename(journalPath('.'))]: [
        { file: 'results', row: ping('r/two', { commit_sha: B }) },
        { file: 'quarantine', row: record('r/two', {}, { commit_sha: C }) },
      ],
    });
    const ids = await writtenIdentities(dir);
    expect([...ids.keys()].sort()).toEqual(['q/one', 'r/one', 'r/two']);
    expect(ids.get('r/one')).toMatchObject({ file: 'results', commit: A });
    expect(ids.get('r/two')).toMatchObject({ file: 'quarantine', status: 'quarantined', commit: C });
    expect(ids.get('q/one')).toMatchObject({ file: 'quarantine', scannerVersion: 'ext-2' });
  });
});

describe('whether a written row is stale for a job', () => {
  const row = identityOfRow('results', ping('x/y') as never);

  it('unchanged when the commit and scanner version are the same', () => {
    expect(identityChange(row, { head_sha: A }, 'stratum-1.0.0')).toBeUndefined();
  });

  it('the commit changed: another frozen commit', () => {
    expect(identityChange(row, { head_sha: B }, 'stratum-1.0.0')).toBe('commit');
    expect(identityChange(row, { head_sha: B }, 'stratum-2.0.0')).toBe('commit');
  });

  it('the scanner version changed', () => {
    expect(identityChange(row, { head_sha: A }, 'stratum-2.0.0')).toBe('scanner_version');
  });

  it('a manifest that froze no commit, or a scanner that cannot tell its version, changes nothing', () => {
    expect(identityChange(row, {}, 'stratum-1.0.0')).toBeUndefined();
    expect(identityChange(row, { head_sha: B }, undefined)).toBe('commit');
    expect(identityChange(row, { head_sha: A }, undefined)).toBeUndefined();
  });

  it('retries by default only the failures whose cause may pass', () => {
    expect([...RETRYABLE_REASONS].sort()).toEqual([
      'clone_rate_limited',
      'clone_timeout',
      'parse_timeout',
      'worker_exception',
    ]);
  });
});
