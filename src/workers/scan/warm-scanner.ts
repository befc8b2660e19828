import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_CHILD_ENV, forgetProcessGroup, killGroup, trackProcessGroup } from '../../core/run-process.js';
import { encodeFrame, FrameDecoder } from '../../scanner/serve/frames.js';
import type { ReadyMessage, ScanRequestMessage, ScanResponseMessage } from '../../scanner/serve/protocol.js';
import type { ScannerRunner, ScanOutcome, ScanRequest } from './scanner-runner.js';

/** A warm process is replaced after this many repositories (bounds any slow leak). */
export const WARM_RECYCLE_AFTER_SCANS = 500;
/**
 * A warm process whose resident memory passes this after a repository is replaced: WebAssembly
 * memory never shrinks, and the next repository must still fit under 300 MB.
 */
export const WARM_RECYCLE_ABOVE_RSS_BYTES = 192 * 1024 * 1024;
/**
 * Node's own code (V8's interpreter, builtins, garbage collector, the WASM runtime) mapped to 2 MB
 * pages. A warm process scans after an idle gap (the clone); on a VM the first scan after one
 * second idle took ~40 % longer than back to back, in JS and WASM alike but not in a tight loop,
 * and most of the difference went with huge pages, so address-translation misses over ~20 MB of
 * code are the likely cause (docs/scanner.md). `silent`: where the kernel has no transparent huge pages the process starts
 * as before. Costs ~25 ms at start-up, paid off any repository's path.
 */
export const WARM_NODE_FLAGS: readonly string[] = ['--use-largepages=silent'];

export interface WarmScannerOptions {
  /** `node` and the built-in CLI: the server is `<command> <...nodeFlags> <...prefixArgs> serve`. */
  command: string;
  prefixArgs: readonly string[];
  /** Node's options for the long-lived processes; `WARM_NODE_FLAGS` when absent. */
  nodeFlags?: readonly string[];
  /** The CLI file, checked before a process is started (it may be built later). */
  requiredFile?: string;
  /** Scanner processes at most (one per worker slot). */
  size: number;
  /** A process is retired after this many repositories. */
  recycleAfterScans: number;
  /** A process whose resident memory passes this after a scan is retired. */
  recycleAboveRssBytes: number;
  /** One repository's scan, start-up of a new process included. */
  timeoutMs: number;
  /** Largest response accepted (a ping); beyond, the process is killed. */
  maxResponseBytes: number;
  /**
   * Each process's warm-up before it takes a repository (`serve --warm-up-ms`); the server's
   * default when absent. Paid off any repository's path: processes start ahead of need.
   */
  warmUpMs?: number;
  /** A crash, hang or protocol error is retried once here (a fresh one-shot process). */
  retry: ScannerRunner;
  signal?: AbortSignal;
}

type WarmFailure = { kind: 'timeout' | 'crash' | 'protocol' | 'aborted'; detail: string };

/** One long-lived `stratum-scan serve` process. */
class WarmProcess {
  scans = 0;
  lastRssBytes = 0;
  private readonly child: ChildProcess;
  private readonly decoder: FrameDecoder;
  private readonly ready: Promise<ReadyMessage>;
  private pending: { resolve: (m: unknown) => void; reject: (f: WarmFailure) => void } | null = null;
  private stderrTail = '';
  private exited: WarmFailure | null = null;
  private nextId = 1;

  constructor(options: WarmScannerOptions) {
    this.decoder = new FrameDecoder(options.maxResponseBytes);
    const warmUp = options.warmUpMs === undefined ? [] : ['--warm-up-ms', String(options.warmUpMs)];
    const nodeFlags = options.nodeFlags ?? WARM_NODE_FLAGS;
    this.child = spawn(options.command, [...nodeFlags, ...options.prefixArgs, 'serve', ...warmUp], {
      cwd: os.tmpdir(),
      env: { ...BASE_CHILD_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: a kill reaches anything it started, and shutdown finds it.
      detached: true,
    });
    if (this.child.pid !== undefined) trackProcessGroup(this.child.pid);
    // The first message is the ready announcement.
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      this.pending = { resolve: (m) => resolve(m as ReadyMessage), reject };
    });
    // An exit before ready rejects `ready`; nobody may be awaiting it yet.
    this.ready.catch(() => undefined);
    this.child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2048);
    });
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (err) => this.fail({ kind: 'crash', detail: `could not start: ${err.message}` }));
    this.child.on('exit', (code, signal) => {
      if (this.child.pid !== undefined) {
        killGroup(this.child.pid, 'SIGKILL');
        forgetProcessGroup(this.child.pid);
      }
      this.fail({
        kind: 'crash',
        detail: `scanner process exited (${signal ? `signal ${signal}` : `code ${code}`})${this.stderr()}`,
      });
    });
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Its ready message (rejects when it died first). */
  whenReady(): Promise<ReadyMessage> {
    return this.ready;
  }

  private stderr(): string {
    const t = this.stderrTail.trim().split('\n').slice(-6).join(' | ');
    return t ? `; stderr: ${t}` : '';
  }

  private onData(chunk: Buffer): void {
    const { messages, error } = this.decoder.push(chunk);
    for (const m of messages) {
      const p = this.pending;
      this.pending = null;
      if (p) p.resolve(m);
      else this.fail({ kind: 'protocol', detail: 'scanner process sent a message nobody asked for' });
    }
    if (error !== null)
      this.fail({
        kind: 'protocol',
        detail:
          error.kind === 'too_large'
            ? `scanner response of ${error.bytes} bytes exceeds ${error.max}`
            : `scanner response is not JSON: ${error.detail}`,
      });
  }

  private fail(f: WarmFailure): void {
    if (this.exited === null) this.exited = f;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.exited);
    this.kill();
  }

  kill(): void {
    if (this.child.pid !== undefined) killGroup(this.child.pid, 'SIGKILL');
  }

  /** Ends the process when idle: it exits once its stdin closes. */
  retire(): void {
    this.exited ??= { kind: 'crash', detail: 'retired' };
    this.child.stdin?.end();
    const timer = setTimeout(() => this.kill(), 5000);
    timer.unref();
  }

  /** Sends one request and waits for its response; any failure leaves the process dead. */
  async scan(request: Omit<ScanRequestMessage, 'id'>, timeoutMs: number, signal?: AbortSignal) {
    const timer = setTimeout(
      () => this.fail({ kind: 'timeout', detail: `scanner killed after ${timeoutMs} ms` }),
      timeoutMs,
    );
    const onAbort = () => this.fail({ kind: 'aborted', detail: 'scanner cancelled (worker shutting down)' });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) onAbort();
      await this.ready;
      if (this.exited !== null) throw this.exited;
      const id = this.nextId++;
      const response = await new Promise<unknown>((resolve, reject) => {
        this.pending = { resolve, reject };
        this.child.stdin?.write(encodeFrame({ ...request, id }));
      });
      const r = response as ScanResponseMessage;
      if (r === null || typeof r !== 'object' || r.id !== id)
        throw { kind: 'protocol', detail: 'scanner answered another request' } satisfies WarmFailure;
      this.scans++;
      this.lastRssBytes = r.memory?.rssBytes ?? 0;
      return r;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * The built-in scanner kept warm: up to `size` long-lived `stratum-scan serve` processes, each
 * scanning repository after repository (no Node start-up, grammar load or cold JIT per
 * repository). A process is recycled after `recycleAfterScans` repositories or when its memory
 * passes `recycleAboveRssBytes`. A crash, hang or garbled answer kills that process and fails
 * only the current repository's attempt, which is retried once in a fresh one-shot process
 * (`retry`). A retired or failed process is replaced at once, so its successor starts and warms
 * up while the worker clones the next repository; `prestart` fills every slot at start-up.
 */
export interface WarmScannerCounts {
  started: number;
  served: number;
  recycledByCount: number;
  recycledByMemory: number;
  failed: number;
  retried: number;
}

/** All counts at zero. */
export function noWarmCounts(): WarmScannerCounts {
  return { started: 0, served: 0, recycledByCount: 0, recycledByMemory: 0, failed: 0, retried: 0 };
}

export class WarmScannerPool implements ScannerRunner {
  readonly description: string;
  private readonly idle: WarmProcess[] = [];
  private live = 0;
  private readonly waiting: ((p: WarmProcess) => void)[] = [];
  private closed = false;
  /**
   * For the run log and tests: processes started; repositories a warm process answered;
   * processes recycled after `recycleAfterScans` repositories or above the memory bound;
   * processes that crashed, hung or garbled an answer; repositories retried in a fresh process.
   */
  readonly counts: WarmScannerCounts = noWarmCounts();

  constructor(private readonly options: WarmScannerOptions) {
    this.description = `warm built-in scanner (${options.prefixArgs.join(' ')} serve, ${options.size} process(es))`;
  }

  private acquire(): Promise<WarmProcess> {
    for (;;) {
      const p = this.idle.pop();
      if (p === undefined) break;
      if (p.alive) return Promise.resolve(p);
      this.live--;
    }
    if (this.live < this.options.size) {
      this.live++;
      this.counts.started++;
      return Promise.resolve(new WarmProcess(this.options));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Starts every slot's process now and resolves when each is ready, warm-up included (a worker
   * calls it at start-up, so no repository waits for one). Returns their ready messages.
   */
  async prestart(): Promise<ReadyMessage[]> {
    const started: WarmProcess[] = [];
    while (!this.closed && this.live < this.options.size) {
      this.live++;
      this.counts.started++;
      const p = new WarmProcess(this.options);
      started.push(p);
      this.idle.push(p);
    }
    const ready = await Promise.allSettled(started.map((p) => p.whenReady()));
    return ready.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  private release(p: WarmProcess, healthy: boolean): void {
    const o = this.options;
    const recycle =
      !healthy || this.closed || p.scans >= o.recycleAfterScans || p.lastRssBytes > o.recycleAboveRssBytes;
    if (recycle) {
      if (healthy) {
        if (p.scans >= o.recycleAfterScans) this.counts.recycledByCount++;
        else if (p.lastRssBytes > o.recycleAboveRssBytes) this.counts.recycledByMemory++;
        p.retire();
      } else this.counts.failed++;
      const next = this.waiting.shift();
      if (next) {
        this.counts.started++;
        next(new WarmProcess(o));
      } else if (this.closed) this.live--;
      else {
        // Its successor starts now, not when the next repository arrives.
        this.counts.started++;
        this.idle.push(new WarmProcess(o));
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) next(p);
    else this.idle.push(p);
  }

  async scan(request: ScanRequest): Promise<ScanOutcome> {
    const o = this.options;
    if (o.requiredFile && !existsSync(o.requiredFile))
      return {
        ok: false,
        code: 'parse_crash',
        detail: `built-in scanner not found at ${o.requiredFile} (run npm run build, or set STRATUM_SCANNER)`,
        durationMs: 0,
      };
    const started = performance.now();
    const p = await this.acquire();
    let failure: WarmFailure;
    try {
      const r = await p.scan(
        // The server runs elsewhere (cwd = tmp): the directory goes absolute.
        { dir: path.resolve(request.dir), repoName: request.repoFullName, repoUrl: request.repoUrl },
        o.timeoutMs,
        o.signal,
      );
      const durationMs = Math.round(performance.now() - started);
      if (r.ok || r.kind === 'usage') this.counts.served++;
      if (r.ok) {
        this.release(p, true);
        return { ok: true, stdout: `${r.ping}\n`, exitCode: 0, durationMs };
      }
      if (r.kind === 'usage') {
        // Not a readable directory: a fresh process would say the same.
        this.release(p, true);
        return { ok: false, code: 'parse_crash', detail: `scanner usage error: ${r.error}`, durationMs };
      }
      // A crash the scanner caught: its state may be damaged, so the process goes too.
      failure = { kind: 'crash', detail: `scanner crashed: ${r.error}` };
      this.release(p, false);
      p.retire();
    } catch (err) {
      failure = err as WarmFailure;
      this.release(p, false);
    }
    if (failure.kind === 'aborted')
      return {
        ok: false,
        code: 'parse_crash',
        detail: failure.detail,
        durationMs: Math.round(performance.now() - started),
      };
    // A crash or hang fails this attempt only: once more in a process of its own.
    this.counts.retried++;
    const second = await o.retry.scan(request);
    if (second.ok) return second;
    return { ...second, detail: `${second.detail} (warm scanner first: ${failure.detail})` };
  }

  /** Ends every idle process (running scans finish; their processes end when released). */
  close(): void {
    this.closed = true;
    for (const p of this.idle.splice(0)) p.retire();
  }
}
