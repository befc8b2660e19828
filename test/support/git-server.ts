import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the server applies to requests for one repository (`/owner/name.git`). */
export type GitFault =
  | { kind: 'status'; status: number; times?: number }
  | { kind: 'hang'; times?: number }
  | { kind: 'slow'; delayMs: number; times?: number };

/**
 * A loopback smart-HTTP git server: `git http-backend` (CGI) behind a tiny node http server,
 * serving the bare repositories under `root`. Faults per repository (HTTP status such as 429
 * or 503, a hang, a delay) let tests reproduce GitHub's failure modes; `requests` counts what
 * each repository was asked for.
 */
export class GitHttpServer {
  readonly faults = new Map<string, GitFault>();
  readonly requests = new Map<string, number>();
  private server: Server | undefined;
  private hanging = new Set<ServerResponse>();
  port = 0;

  constructor(readonly root: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(fullName: string): string {
    return `http://127.0.0.1:${this.port}/${fullName}.git`;
  }

  requestCount(fullName: string): number {
    return this.requests.get(`/${fullName}.git`) ?? 0;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private repoOf(pathname: string): string | undefined {
    return /^(\/[^/]+\/[^/]+\.git)(?:\/|$)/.exec(pathname)?.[1];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const repo = this.repoOf(url.pathname);
    if (repo) {
      this.requests.set(repo, (this.requests.get(repo) ?? 0) + 1);
      const fault = this.faults.get(repo);
      if (fault && (fault.times === undefined || fault.times > 0)) {
        if (fault.times !== undefined) fault.times--;
        if (fault.kind === 'status') {
          res.writeHead(fault.status, { 'content-type': 'text/plain' });
          res.end(`injected ${fault.status}\n`);
          return;
        }
        if (fault.kind === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        await new Promise((r) => setTimeout(r, fault.delayMs));
      }
    }
    this.cgi(req, res, url);
  }

  private cgi(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let sep = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = head.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(sep + sepLen));
    });
    child.on('close', () => {
      if (!headersDone) res.writeHead(500);
      res.end();
    });
    res.on('close', () => child.kill('SIGKILL'));
  }
}
