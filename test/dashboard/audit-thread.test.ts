import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { createLogger } from '../../src/core/logger.js';
import { threadedAudit } from '../../src/dashboard/audit-thread.js';
import { writeTestData } from '../../src/testdata/index.js';
import { tempDir } from '../support/tmp.js';

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { lines, logger: createLogger('test', { destination, pretty: false }) };
}

describe('threadedAudit', () => {
  it('runs the project audit off the calling thread and returns the same outcome as in-process', async () => {
    const d = tempDir('audit-thread');
    dirs.push(d);
    const input = path.join(d.dir, 'scan_results.jsonl');
    await writeTestData({ count: 300, seed: 7, output: input });
    const { lines, logger } = captureLogger();

    const threaded = await threadedAudit({
      input,
      outDir: path.join(d.dir, 'threaded'),
      split: true,
      logger,
    });
    const inProcess = await runAudit({ input, outDir: path.join(d.dir, 'inline'), split: true });

    expect(threaded.rows).toBe(300);
    expect(threaded.rows).toBe(inProcess.rows);
    expect(threaded.corruptLines).toBe(inProcess.corruptLines);
    expect(threaded.gates).toEqual(inProcess.gates);
    expect(threaded.reportPath).toBe(path.join(d.dir, 'threaded', 'dataset_audit_report.md'));
    // The thread's log lines reach the caller's logger, which stamps its own name on them.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.name === 'test')).toBe(true);
  });

  it('rejects with the audit error message when the input is missing', async () => {
    const d = tempDir('audit-thread');
    dirs.push(d);
    const input = path.join(d.dir, 'absent.jsonl');
    await expect(threadedAudit({ input, outDir: d.dir })).rejects.toThrow(`input ${input} does not exist`);
  });
});
