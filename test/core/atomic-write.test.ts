import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/project-root.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('atomic-write');
afterAll(() => tmp.cleanup());

/**
 * Runs `body` (an ES module using the built modules) under strace and returns the system calls
 * that decide durability: opens, renames and fsyncs, with their results.
 */
function traced(name: string, body: string): string[] {
  const script = path.join(tmp.dir, `${name}.mjs`);
  writeFileSync(script, body);
  const trace = path.join(tmp.dir, `${name}.strace`);
  execFileSync(
    'strace',
    [
      '-f',
      '-qq',
      '-e',
      'trace=openat,rename,renameat,renameat2,fsync',
      '-o',
      trace,
      process.execPath,
      script,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(trace, 'utf8')
    .split('\n')
    .map((l) => l.replace(/^\d+\s+/, '').replace(/\s+=\s+/, ' = '));
}

/** Whether the directory of `file` was opened and fsynced after `file` was renamed into place. */
function dirSyncedAfterRename(calls: string[], file: string): boolean {
  const dir = path.dirname(file);
  const renamed = calls.findIndex((c) => /^rename/.test(c) && c.includes(`"${file}"`) && /= 0$/.test(c));
  if (renamed < 0) throw new Error(`no rename onto ${file} in the trace:\n${calls.join('\n')}`);
  for (let i = renamed + 1; i < calls.length; i++) {
    const open = calls[i]!.match(new RegExp(`^openat\\(AT_FDCWD, "${dir}", [^)]*\\) = (\\d+)$`));
    if (!open) continue;
    if (calls.slice(i + 1).some((c) => c === `fsync(${open[1]}) = 0`)) return true;
  }
  return false;
}

const dist = (module: string) => JSON.stringify(path.join(projectRoot(), 'dist', 'src', module));

describe('atomic rewrites are durable: the directory is fsynced after the rename', () => {
  it('writeFileAtomic (run log, audit.json, manifest)', () => {
    const file = path.join(tmp.dir, 'a', 'run_log.json');
    const calls = traced(
      'whole',
      `import { writeFileAtomic } from ${dist('core/atomic-write.js')};
       await writeFileAtomic(${JSON.stringify(file)}, 'new content');`,
    );
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(dirSyncedAfterRename(calls, file)).toBe(true);
  });

  it('AtomicFileSync (the rescan merge into scan_results.jsonl, the audit outputs)', () => {
    const file = path.join(tmp.dir, 'b', 'scan_results.jsonl');
    const calls = traced(
      'streamed',
      `import { mkdirSync } from 'node:fs';
       import { AtomicFileSync } from ${dist('core/atomic-write.js')};
       mkdirSync(${JSON.stringify(path.dirname(file))}, { recursive: true });
       const out = new AtomicFileSync(${JSON.stringify(file)});
       out.write('{"a":1}\\n');
       out.commit();`,
    );
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(dirSyncedAfterRename(calls, file)).toBe(true);
  });

  it("the split's frozen assignments (split_assignment.jsonl)", () => {
    const file = path.join(tmp.dir, 'c', 'split_assignment.jsonl');
    const calls = traced(
      'sidecar',
      `import { mkdirSync } from 'node:fs';
       import { writeSidecar } from ${dist('audit/split/sidecar.js')};
       mkdirSync(${JSON.stringify(path.dirname(file))}, { recursive: true });
       await writeSidecar(${JSON.stringify(file)}, new Map([['o/a', 'train']]), [], () => undefined);`,
    );
    expect(readFileSync(file, 'utf8')).toBe('{"repo_full_name":"o/a","split":"train"}\n');
    expect(dirSyncedAfterRename(calls, file)).toBe(true);
  });
});
