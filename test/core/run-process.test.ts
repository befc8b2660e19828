import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/run-process.js';

describe('runProcess', () => {
  it('captures stdout and exit code without a shell', async () => {
    const r = await runProcess('node', ['-e', 'process.stdout.write("hi; echo no")'], { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('hi; echo no');
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const script =
      'const {spawn}=require("child_process");' +
      'const c=spawn("sleep",["30"],{stdio:"ignore"});console.log(c.pid);setInterval(()=>{},1000)';
    const r = await runProcess('node', ['-e', script], { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    const grandchild = Number(r.stdout.trim());
    await new Promise((res) => setTimeout(res, 100));
    expect(grandchild).toBeGreaterThan(1);
    expect(isRunning(grandchild)).toBe(false);
  });

  it('caps stdout and reports the overflow', async () => {
    const r = await runProcess(
      'node',
      ['-e', 'const b="x".repeat(1<<20);const w=()=>process.stdout.write(b,w);w()'],
      {
        timeoutMs: 20_000,
        maxStdoutBytes: 4 * 1024 * 1024,
      },
    );
    expect(r.outputOverflow).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('does not pass the parent environment', async () => {
    process.env.STRATUM_TEST_SECRET = 'do-not-leak';
    const r = await runProcess(
      'node',
      ['-e', 'process.stdout.write(String(process.env.STRATUM_TEST_SECRET))'],
      {
        timeoutMs: 10_000,
      },
    );
    expect(r.stdout).toBe('undefined');
  });

  it('returns a spawn error as a value', async () => {
    const r = await runProcess('/nonexistent/binary', [], { timeoutMs: 1000 });
    expect(r.spawnError).toBeTruthy();
  });
});

/** Alive and not a zombie (PID 1 here may not reap orphans, so a killed child can linger as Z). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
