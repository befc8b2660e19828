import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redact } from './redact.js';
import { escapeJsonLineForTerminal } from './terminal-text.js';

export type { Logger };

const CLEAR_LINE = '\r\x1b[K';

export interface LoggerOptions {
  level?: string;
  /** Secret values that must never reach a log line. */
  secrets?: readonly string[];
  /** Human-readable lines (default: when stderr is a terminal). JSON lines otherwise. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

/**
 * Logs go to stderr (stdout belongs to command output such as the scanner's ping), as JSON
 * when stderr is not a terminal, and every line passes through `redact` first.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const secrets = options.secrets ?? [];
  const scrubbed = new Writable({
    write(chunk, _enc, cb) {
      // On a terminal a progress bar may hold the line: clear it first (the bar redraws below).
      destination.write((usePretty && tty ? CLEAR_LINE : '') + redact(String(chunk), secrets));
      cb();
    },
  });
  const tty = Boolean((destination as { isTTY?: boolean }).isTTY);
  const usePretty = options.pretty ?? tty;
  const stream = usePretty
    ? terminalSafe(
        pretty({
          destination: scrubbed,
          colorize: true,
          sync: true,
          singleLine: true,
          ignore: 'pid,hostname',
        }),
      )
    : scrubbed;
  return pino({ name, level: options.level ?? 'info', base: { name } }, stream);
}

/** pino-pretty prints parsed strings raw: input text keeps its control characters escaped. */
function terminalSafe(prettyStream: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      prettyStream.write(escapeJsonLineForTerminal(String(chunk)));
      cb();
    },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
