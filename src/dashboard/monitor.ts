import { setTimeout as sleep } from 'node:timers/promises';
import { redact } from '../core/redact.js';
import { renderMonitor } from './monitor-view.js';
import type { SnapshotSource } from './stats-source.js';

export interface MonitorOptions {
  source: SnapshotSource;
  once: boolean;
  intervalSeconds: number;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  secrets: readonly string[];
  /** Ends live mode (SIGINT). */
  signal?: AbortSignal;
}

const CLEAR_HOME = '\x1b[H\x1b[2J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * One snapshot (`once`), or a frame every interval until the signal aborts: redrawn in place
 * on a terminal, appended as plain blocks otherwise (logs, pipes, CI).
 */
export async function runMonitor(options: MonitorOptions): Promise<void> {
  const { out } = options;
  const frame = async () => redact(renderMonitor(await options.source()), options.secrets);
  if (options.once) {
    out.write(await frame());
    return;
  }
  const tty = Boolean(out.isTTY);
  if (tty) out.write(HIDE_CURSOR);
  try {
    while (!options.signal?.aborted) {
      const text = await frame();
      out.write(tty ? CLEAR_HOME + text : `${text}\n`);
      try {
        await sleep(options.intervalSeconds * 1000, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
  } finally {
    if (tty) out.write(SHOW_CURSOR);
  }
}
