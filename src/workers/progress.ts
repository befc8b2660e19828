import cliProgress from 'cli-progress';
import type { Logger } from '../core/logger.js';

export interface Progress {
  update(done: number, extra: { failed: number; quarantined: number; active: number }): void;
  stop(): void;
}

/** A progress bar on a terminal; otherwise one JSON log line every `everyMs`. */
export function createProgress(
  total: number,
  logger: Logger,
  options: { tty?: boolean; everyMs?: number } = {},
): Progress {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          'scan {bar} {value}/{total} | {percentage}% | {rate}/min | eta {eta_formatted} | failed {failed} | quarantined {quarantined} | active {active}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    let first: number | undefined;
    bar.start(total, 0, { failed: 0, quarantined: 0, active: 0, rate: 0 });
    return {
      update(done, extra) {
        // Repositories per minute since this process started (rows of a resumed run not counted).
        first ??= done;
        const minutes = (Date.now() - started) / 60_000;
        const rate = minutes > 0 ? Math.round((done - first) / minutes) : 0;
        bar.update(Math.min(done, total), { ...extra, rate });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  const every = options.everyMs ?? 5000;
  return {
    update(done, extra) {
      const now = Date.now();
      if (now - last < every && done < total) return;
      last = now;
      logger.info({ done, total, ...extra }, 'scan progress');
    },
    stop() {},
  };
}
