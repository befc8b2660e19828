import ipaddr from 'ipaddr.js';

/** A manifest URL as it was judged, and the URL rebuilt from the judged parts that git is given. */
export interface JudgedUrl {
  /** What git is handed: scheme, host, port and path as judged, nothing else. */
  url: string;
  protocol: 'https:' | 'http:' | 'git:' | 'file:';
  /** The judged host: lower case, no trailing dot, IPv6 without brackets; '' for file: URLs. */
  host: string;
  /** '' for the scheme's default port. */
  port: string;
  hostKind: 'name' | 'ipv4' | 'ipv6' | 'none';
  /** Why the host is local (loopback, private, …); undefined for a public host. */
  local: string | undefined;
}

export type UrlJudgement = { ok: true; judged: JudgedUrl } | { ok: false; problem: string };

const ALLOWED_PROTOCOLS = new Set(['https:', 'http:', 'git:', 'file:']);

/**
 * Judges a manifest's repo_url the way git will read it. The string is parsed once (WHATWG URL,
 * which also turns decimal, octal, hex and short IPv4 forms, percent-escapes and full-width
 * digits into the one address they mean), the parsed host is judged, and git is handed the URL
 * rebuilt from those parts, so that git cannot read a different host than the one judged.
 * What parsers disagree on is refused outright: backslashes (WHATWG reads them as '/', curl as
 * part of the user-info), user-info of any kind, whitespace and control characters, queries and
 * fragments.
 */
export function judgeRepoUrl(raw: string, allowLocalUrls: boolean): UrlJudgement {
  const no = (problem: string): UrlJudgement => ({ ok: false, problem });
  if (typeof raw !== 'string' || raw === '') return no('repo_url is missing');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return no('repo_url is not a URL');
  if (!ALLOWED_PROTOCOLS.has(`${scheme}:`))
    return no(`repo_url scheme ${scheme} is not allowed (https only)`);
  if (/[\0-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(raw))
    return no('repo_url contains whitespace or control characters');
  if (raw.includes('\\')) return no('repo_url contains a backslash');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return no('repo_url is not a URL');
  }
  // WHATWG moves an '@' before the host into username/password; an '@' that survives anywhere
  // in the authority is user-info some other parser would honour.
  if (url.username || url.password || authorityOf(raw).includes('@'))
    return no('repo_url must not carry credentials (user-info)');
  if (!ALLOWED_PROTOCOLS.has(url.protocol))
    return no(`repo_url scheme ${url.protocol.replace(':', '')} is not allowed (https only)`);
  if (url.search || url.hash || raw.includes('?') || raw.includes('#'))
    return no('repo_url must not have a query or a fragment');
  if (url.pathname.split('/').some((seg) => seg.startsWith('-')))
    return no(`repo_url has a path segment starting with '-'`);
  const protocol = url.protocol as JudgedUrl['protocol'];

  if (protocol === 'file:') {
    const host = url.hostname.replace(/\.+$/, '');
    if (host !== '' && host !== 'localhost') return no('repo_url file: URL names a host');
    if (!allowLocalUrls) return no('repo_url file:// is local; set STRATUM_ALLOW_LOCAL_URLS=1 to allow it');
    return {
      ok: true,
      judged: {
        url: `file://${url.pathname}`,
        protocol,
        host: '',
        port: '',
        hostKind: 'none',
        local: 'file',
      },
    };
  }

  const host = judgeHost(url.hostname);
  if (!host.ok) return no(host.problem);
  const { name, kind, local } = host;
  const shown = kind === 'ipv6' ? `[${name}]` : name;
  if (local && !allowLocalUrls)
    return no(
      `repo_url ${url.protocol}//${shown}${url.port ? `:${url.port}` : ''} is local (${local}); set STRATUM_ALLOW_LOCAL_URLS=1 to allow it`,
    );
  if (protocol !== 'https:' && !(allowLocalUrls && local))
    return no(`repo_url scheme ${protocol.replace(':', '')} is not allowed (https only)`);
  return {
    ok: true,
    judged: {
      url: `${protocol}//${shown}${url.port ? `:${url.port}` : ''}${url.pathname}`,
      protocol,
      host: name,
      port: url.port,
      hostKind: kind,
      local,
    },
  };
}

/** The authority part of a URL string as written (between `//` and the next `/`). */
function authorityOf(raw: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)/.exec(raw);
  return m?.[1] ?? '';
}

type HostJudgement =
  | { ok: true; name: string; kind: 'name' | 'ipv4' | 'ipv6'; local: string | undefined }
  | { ok: false; problem: string };

/** The parsed (WHATWG) host: an IPv4 or IPv6 address judged by its range, or a name. */
export function judgeHost(parsedHostname: string): HostJudgement {
  if (parsedHostname.startsWith('[')) {
    const inner = parsedHostname.slice(1, -1);
    if (!ipaddr.IPv6.isValid(inner)) return { ok: false, problem: 'repo_url has an invalid IPv6 host' };
    const addr = ipaddr.IPv6.parse(inner);
    return { ok: true, name: addr.toString(), kind: 'ipv6', local: localRangeOf(addr) };
  }
  // A trailing dot names the same host (an absolute DNS name); judged and handed on without it.
  const name = parsedHostname.toLowerCase().replace(/\.+$/, '');
  if (name === '') return { ok: false, problem: 'repo_url has no host' };
  if (ipaddr.IPv4.isValidFourPartDecimal(name)) {
    const addr = ipaddr.IPv4.parse(name);
    return { ok: true, name: addr.toString(), kind: 'ipv4', local: localRangeOf(addr) };
  }
  // WHATWG has already turned every numeric IPv4 form into dotted decimal; a name that still
  // ends in a number is one it refused to read as an address, and curl might not agree.
  if (/(^|\.)(0x[0-9a-f]*|\d+)$/.test(name))
    return { ok: false, problem: `repo_url host ${name} looks numeric but is not an IPv4 address` };
  if (name === 'localhost' || name.endsWith('.localhost'))
    return { ok: true, name, kind: 'name', local: 'loopback' };
  return { ok: true, name, kind: 'name', local: undefined };
}

/**
 * Why an address is not a public one ('loopback', 'private', 'linkLocal', …), or undefined
 * for a global unicast address. IPv6 forms that carry an IPv4 address (mapped, compatible,
 * NAT64, 6to4, Teredo) are never public here: git has no business with them.
 */
export function localRangeOf(addr: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  const range = addr.range();
  if (range !== 'unicast') return range;
  if (addr.kind() === 'ipv6') {
    const parts = (addr as ipaddr.IPv6).parts;
    // ::a.b.c.d (IPv4-compatible, deprecated): ipaddr.js calls it unicast.
    if (parts.slice(0, 6).every((p) => p === 0)) return 'ipv4Compatible';
  }
  return undefined;
}

/** True when `address` (as returned by a resolver) is not a public unicast address. */
export function isLocalAddress(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  return localRangeOf(ipaddr.parse(address));
}
