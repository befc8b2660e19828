import type { Readable, Writable } from 'node:stream';
import { PIPELINE_VERSION } from '../../core/version.js';
import { loadPythonParser } from '../parse/python-parser.js';
import { ScanUsageError, scanDirectory } from '../scan.js';
import { encodeFrame, FrameDecoder } from './frames.js';
import {
  MAX_REQUEST_BYTES,
  type MemoryReport,
  type ReadyMessage,
  type ScanRequestMessage,
  type ScanResponseMessage,
} from './protocol.js';
import { warmUp } from './warm-up.js';

function memory(): MemoryReport {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}

const OPTIONAL_STRINGS = ['repoName', 'repoUrl', 'selectionStratum'] as const;
const OPTIONAL_INTS = ['maxFiles', 'maxFileBytes', 'timeBudgetMs'] as const;

/** The request's problem in one line, or null when it is well formed. */
export function requestProblem(m: unknown): string | null {
  if (m === null || typeof m !== 'object') return 'request is not an object';
  const r = m as Record<string, unknown>;
  if (!Number.isSafeInteger(r.id)) return 'id must be an integer';
  if (typeof r.dir !== 'string' || r.dir === '') return 'dir must be a non-empty string';
  for (const k of OPTIONAL_STRINGS)
    if (r[k] !== undefined && typeof r[k] !== 'string') return `${k} must be a string`;
  for (const k of OPTIONAL_INTS)
    if (r[k] !== undefined && !(Number.isSafeInteger(r[k]) && (r[k] as number) > 0))
      return `${k} must be a positive integer`;
  return null;
}

async function handle(request: ScanRequestMessage): Promise<ScanResponseMessage> {
  try {
    const report = await scanDirectory(request.dir, {
      repoName: request.repoName,
      repoUrl: request.repoUrl,
      selectionStratum: request.selectionStratum,
      maxFiles: request.maxFiles,
      maxFileBytes: request.maxFileBytes,
      timeBudgetMs: request.timeBudgetMs,
    });
    return { id: request.id, ok: true, ping: JSON.stringify(report.ping), memory: memory() };
  } catch (err) {
    const usage = err instanceof ScanUsageError;
    const e = err as Error;
    return {
      id: request.id,
      ok: false,
      kind: usage ? 'usage' : 'crash',
      error: usage ? e.message : (e?.stack ?? String(err)).split('\n').slice(0, 8).join(' | '),
      memory: memory(),
    };
  }
}

/**
 * `stratum-scan serve`: a long-lived scanner. Reads framed scan requests on `input`, scans one
 * repository at a time, answers each with a framed response on `output` carrying exactly the
 * ping `scan --json` prints. Announces itself with a ready message once the grammar is loaded
 * and the warm-up (`warmUpMs`, 0 for none) is done. Ends when `input` ends. A malformed frame
 * ends the server (exit code 2): the stream cannot be trusted past it.
 */
export async function serve(input: Readable, output: Writable, warmUpMs = 0): Promise<number> {
  // stdout carries frames only: a stray console.log from any module would corrupt the stream.
  for (const k of ['log', 'info', 'debug'] as const) console[k] = console.error;
  await loadPythonParser();
  const ready: ReadyMessage = {
    ready: true,
    version: PIPELINE_VERSION,
    pid: process.pid,
    warmUp: await warmUp(warmUpMs),
  };
  output.write(encodeFrame(ready));
  const decoder = new FrameDecoder(MAX_REQUEST_BYTES);
  for await (const chunk of input) {
    const { messages, error } = decoder.push(chunk as Buffer);
    for (const m of messages) {
      const problem = requestProblem(m);
      const id = Number.isSafeInteger((m as { id?: unknown })?.id) ? (m as { id: number }).id : -1;
      const response: ScanResponseMessage =
        problem === null
          ? await handle(m as ScanRequestMessage)
          : { id, ok: false, kind: 'usage', error: `bad request: ${problem}`, memory: memory() };
      output.write(encodeFrame(response));
    }
    if (error !== null) {
      const why =
        error.kind === 'too_large' ? `frame of ${error.bytes} bytes (max ${error.max})` : error.detail;
      process.stderr.write(`error: stratum-scan serve: unreadable request frame: ${why}\n`);
      return 2;
    }
  }
  return 0;
}
