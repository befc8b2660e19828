import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The clone directories of one worker process: `<workDir>/w-<host>-<pid>-<rand>/<job>-<rand>`.
 * Each job gets a fresh directory that is removed whatever happens; a worker that starts
 * removes the directories of dead processes of the same host (a crashed predecessor), never
 * those of a live sibling sharing the work directory.
 */
export class Workspace {
  private constructor(
    readonly root: string,
    readonly processDir: string,
  ) {}

  static async open(workDir: string): Promise<{ workspace: Workspace; swept: string[] }> {
    const root = path.resolve(workDir);
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    const swept = await sweepStale(root);
    const processDir = path.join(root, `w-${hostTag()}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await fs.mkdir(processDir, { mode: 0o700 });
    return { workspace: new Workspace(root, processDir), swept };
  }

  /** A fresh empty directory for one job. `jobId` is already a safe name (see jobIdFor). */
  async allocate(jobId: string): Promise<string> {
    const dir = path.join(this.processDir, `${jobId.slice(0, 80)}-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(dir, { mode: 0o700 });
    return dir;
  }

  async release(dir: string): Promise<void> {
    if (path.dirname(dir) !== this.processDir)
      throw new Error(`refusing to remove ${dir}: not a job directory`);
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  async close(): Promise<void> {
    await fs.rm(this.processDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

function hostTag(): string {
  return os
    .hostname()
    .replace(/[^A-Za-z0-9.]/g, '_')
    .slice(0, 40);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function sweepStale(root: string): Promise<string[]> {
  const swept: string[] = [];
  const mine = new RegExp(`^w-${hostTag().replace(/\./g, '\\.')}-(\\d+)-[0-9a-f]+$`);
  for (const name of await fs.readdir(root)) {
    const m = mine.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    // Our own pid can only be a predecessor's here (containers reuse pids): this process has no dir yet.
    if (pid !== process.pid && isAlive(pid)) continue;
    await fs.rm(path.join(root, name), { recursive: true, force: true, maxRetries: 3 });
    swept.push(name);
  }
  return swept;
}
