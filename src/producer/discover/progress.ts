import cliProgress from 'cli-progress';
import type { Logger } from '../../core/logger.js';

/**
 * Progress of discovery per stratum: bars on a terminal (cli-progress, on stderr), plain
 * periodic log lines otherwise. The total of a stratum grows as slices over the cap split.
 */
export interface StratumProgress {
  slicesDone: number;
  slicesKnown: number;
  repos: number;
}

export interface ProgressReporter {
  update(stratum: string, progress: StratumProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  strata: readonly string[];
  logger: Logger;
  /** Bars when true (stderr is a terminal), periodic log lines otherwise. */
  tty: boolean;
  stream?: NodeJS.WritableStream;
  intervalMs?: number;
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  return options.tty ? barProgress(options) : lineProgress(options);
}

function barProgress(options: ProgressOptions): ProgressReporter {
  const width = Math.max(...options.strata.map((s) => s.length));
  const multibar = new cliProgress.MultiBar(
    {
      stream: options.stream ?? process.stderr,
      format: '{stratum} |{bar}| {value}/{total} slices | {repos} repos',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(
    options.strata.map((name) => [name, multibar.create(1, 0, { stratum: name.padEnd(width), repos: 0 })]),
  );
  return {
    update(stratum, progress) {
      const bar = bars.get(stratum);
      if (!bar) return;
      bar.setTotal(Math.max(1, progress.slicesKnown));
      bar.update(progress.slicesDone, { repos: progress.repos });
    },
    stop() {
      multibar.stop();
    },
  };
}

function lineProgress(options: ProgressOptions): ProgressReporter {
  const latest = new Map<string, StratumProgress>();
  let changed = false;
  const report = () => {
    if (!changed) return;
    changed = false;
    const strata = Object.fromEntries(
      [...latest].map(([name, p]) => [name, `${p.slicesDone}/${p.slicesKnown} slices, ${p.repos} repos`]),
    );
    options.logger.info({ strata }, 'discovery progress');
  };
  const timer = setInterval(report, options.intervalMs ?? 10_000);
  timer.unref();
  return {
    update(stratum, progress) {
      latest.set(stratum, { ...progress });
      changed = true;
    },
    stop() {
      clearInterval(timer);
      report();
    },
  };
}
