import { lookup as dnsLookup } from 'node:dns/promises';
import type { CloneFailure } from './classify.js';
import { isLocalAddress, type JudgedUrl } from './repo-url.js';

/** Resolves a host name to every address it has (the system resolver, /etc/hosts included). */
export type HostLookup = (host: string) => Promise<string[]>;

export const systemLookup: HostLookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

export type PinnedHost = { ok: true; gitConfig: string[] } | ({ ok: false } & CloneFailure);

const DEFAULT_PORTS: Record<string, string> = { 'https:': '443', 'http:': '80', 'git:': '9418' };

/**
 * A judged host name is resolved once, every address it resolves to is judged like an
 * address written in the URL, and git is pinned to exactly those addresses
 * (`http.curloptResolve`), so that a name pointing at loopback or a private network, or one
 * that changes its answer between this check and git's own lookup, never takes git there.
 * Addresses and local URLs (when allowed) need nothing.
 */
export async function pinPublicHost(
  judged: JudgedUrl,
  allowLocalUrls: boolean,
  lookup: HostLookup = systemLookup,
): Promise<PinnedHost> {
  if (allowLocalUrls || judged.hostKind !== 'name' || judged.protocol !== 'https:')
    return { ok: true, gitConfig: [] };
  let addresses: string[];
  try {
    addresses = await lookup(judged.host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    // Like git's own "Could not resolve host": worth another attempt.
    return {
      ok: false,
      code: 'clone_error',
      transient: true,
      detail: `could not resolve host ${judged.host}: ${code}`,
    };
  }
  if (addresses.length === 0)
    return { ok: false, code: 'clone_error', transient: true, detail: `host ${judged.host} has no address` };
  for (const address of addresses) {
    const local = isLocalAddress(address);
    if (local)
      return {
        ok: false,
        code: 'clone_error',
        transient: false,
        detail: `manifest row rejected: repo_url host ${judged.host} resolves to ${address} (${local}); set STRATUM_ALLOW_LOCAL_URLS=1 to allow it`,
      };
  }
  const port = judged.port || DEFAULT_PORTS[judged.protocol]!;
  const list = addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(',');
  return { ok: true, gitConfig: [`http.curloptResolve=${judged.host}:${port}:${list}`] };
}
