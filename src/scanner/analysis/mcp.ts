import type { ArgValue, PythonFacts, SiteRef } from '../model.js';

export interface McpServer {
  /** Identity used to count unique servers: the URL, or command + arguments. */
  key: string;
  transport: 'stdio' | 'remote';
  hasAuth: boolean;
  pinned: boolean;
  /** Declared as a server in this repository (FastMCP) rather than a client connection. */
  definedHere: boolean;
  site: SiteRef;
}

const LAUNCHERS = new Set(['npx', 'uvx', 'pipx', 'bunx', 'pnpm', 'yarn', 'docker']);

/** A package launched by `npx`/`uvx`/`docker` is pinned when its argument carries a version. */
export function isPinnedLaunch(command: string, args: readonly string[]): boolean {
  const cmd = command.split('/').pop() ?? command;
  if (!LAUNCHERS.has(cmd)) return true; // a local script or binary shipped with the repo
  const pkg = args.find((a) => !a.startsWith('-') && a !== 'run' && a !== 'dlx' && a !== 'exec');
  if (pkg === undefined) return false;
  if (cmd === 'docker') {
    const image = args.filter((a) => !a.startsWith('-')).pop() ?? '';
    return /@sha256:|:[\w.-]+$/.test(image) && !image.endsWith(':latest');
  }
  return /^(@[^/]+\/)?[^@=]+(@\d[\w.-]*|==\d[\w.-]*)$/.test(pkg);
}

function authFromHeaders(headers: unknown): boolean {
  if (!headers || typeof headers !== 'object') return false;
  return Object.keys(headers as object).some((k) => /authorization|api[-_]?key|token/i.test(k));
}

/** Servers declared in MCP JSON configs (`mcpServers`, VS Code `servers`). */
export function serversFromConfig(file: string, data: unknown): McpServer[] {
  const out: McpServer[] = [];
  if (!data || typeof data !== 'object') return out;
  const doc = data as Record<string, unknown>;
  const table = (doc.mcpServers ??
    doc.servers ??
    (doc.mcp as Record<string, unknown> | undefined)?.servers) as
    | Record<string, Record<string, unknown>>
    | undefined;
  if (!table || typeof table !== 'object') return out;
  for (const [name, raw] of Object.entries(table)) {
    if (!raw || typeof raw !== 'object') continue;
    const url =
      typeof raw.url === 'string' ? raw.url : typeof raw.serverUrl === 'string' ? raw.serverUrl : null;
    if (url !== null) {
      out.push({
        key: `url:${url}`,
        transport: 'remote',
        hasAuth: authFromHeaders(raw.headers) || /[?&](token|key|api_key)=/i.test(url),
        pinned: false,
        definedHere: false,
        site: { file, line: 1 },
      });
      continue;
    }
    const command = typeof raw.command === 'string' ? raw.command : '';
    const args = Array.isArray(raw.args) ? raw.args.filter((a): a is string => typeof a === 'string') : [];
    out.push({
      key: command ? `cmd:${[command, ...args].join(' ')}` : `name:${name}`,
      transport: 'stdio',
      hasAuth: true,
      pinned: isPinnedLaunch(command, args),
      definedHere: false,
      site: { file, line: 1 },
    });
  }
  return out;
}

function strList(v: ArgValue | undefined): string[] {
  return v?.kind === 'list'
    ? v.items.filter((i) => i.kind === 'str').map((i) => (i as { value: string }).value)
    : [];
}

function str(v: ArgValue | undefined): string | null {
  return v?.kind === 'str' ? v.value : null;
}

const STDIO_PARAMS = new Set([
  'StdioServerParameters',
  'MCPServerStdio',
  'StdioServerParams',
  'StdioConnectionParams',
]);
const REMOTE_PARAMS = new Set([
  'MCPServerSse',
  'MCPServerStreamableHttp',
  'SseServerParams',
  'StreamableHttpServerParams',
  'sse_client',
  'streamablehttp_client',
  'SseConnectionParams',
  'StreamableHTTPConnectionParams',
]);

/** Servers in code: FastMCP servers defined here, client parameters, multi-server clients. */
export function serversFromCode(files: readonly PythonFacts[]): McpServer[] {
  const out: McpServer[] = [];
  for (const f of files) {
    if (f.isTest) continue;
    for (const c of f.calls) {
      const name = c.callee.slice(c.callee.lastIndexOf('.') + 1);
      const site = { file: f.path, line: c.line };
      if (name === 'FastMCP' && /^(mcp|fastmcp)\b/.test(c.qualified)) {
        out.push({
          key: `fastmcp:${f.path}:${str(c.args[0]) ?? c.line}`,
          transport: 'stdio',
          hasAuth: true,
          pinned: true,
          definedHere: true,
          site,
        });
        continue;
      }
      let params = c.kwargs.get('params');
      if (params?.kind === 'name')
        params = f.assigns.find((a) => a.target === (params as { value: string }).value)?.value;
      if (STDIO_PARAMS.has(name)) {
        const dict = params?.kind === 'dict' ? params.entries : c.kwargs;
        const commandArg = dict.get('command');
        const argsArg = dict.get('args');
        // `StdioServerParameters(command=cfg["command"], args=cfg["args"])`: a generic client
        // for servers configured elsewhere (counted from that configuration), not a server.
        if (commandArg && commandArg.kind !== 'str' && argsArg && argsArg.kind !== 'list') continue;
        const command = str(commandArg) ?? '';
        const args = strList(dict.get('args'));
        out.push({
          key: `cmd:${[command, ...args].join(' ')}`,
          transport: 'stdio',
          hasAuth: true,
          pinned: isPinnedLaunch(command, args),
          definedHere: false,
          site,
        });
      } else if (REMOTE_PARAMS.has(name)) {
        const dict = params?.kind === 'dict' ? params.entries : c.kwargs;
        const url = str(dict.get('url')) ?? str(c.args[0]) ?? `${f.path}:${c.line}`;
        const headers = dict.get('headers');
        out.push({
          key: `url:${url}`,
          transport: 'remote',
          hasAuth:
            (headers?.kind === 'dict' &&
              headers.keys.some((k) => /authorization|api[-_]?key|token/i.test(k))) ||
            dict.has('auth'),
          pinned: false,
          definedHere: false,
          site,
        });
      } else if (name === 'MultiServerMCPClient') {
        const table = c.args[0]?.kind === 'dict' ? c.args[0] : c.kwargs.get('connections');
        if (table?.kind !== 'dict') continue;
        for (const [serverName, cfg] of table.entries) {
          if (cfg.kind !== 'dict') continue;
          const url = str(cfg.entries.get('url'));
          if (url !== null) {
            const headers = cfg.entries.get('headers');
            out.push({
              key: `url:${url}`,
              transport: 'remote',
              hasAuth:
                headers?.kind === 'dict' &&
                headers.keys.some((k) => /authorization|api[-_]?key|token/i.test(k)),
              pinned: false,
              definedHere: false,
              site,
            });
          } else {
            const command = str(cfg.entries.get('command')) ?? '';
            const args = strList(cfg.entries.get('args'));
            out.push({
              key: command ? `cmd:${[command, ...args].join(' ')}` : `name:${serverName}`,
              transport: 'stdio',
              hasAuth: true,
              pinned: isPinnedLaunch(command, args),
              definedHere: false,
              site,
            });
          }
        }
      }
    }
  }
  return out;
}

export function uniqueServers(servers: readonly McpServer[]): McpServer[] {
  const byKey = new Map<string, McpServer>();
  for (const s of servers) if (!byKey.has(s.key)) byKey.set(s.key, s);
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
