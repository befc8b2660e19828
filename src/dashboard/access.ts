import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../core/config.js';

/**
 * Who may use the dashboard.
 *
 * - Credentials: a bearer token (DASHBOARD_TOKEN) and/or basic auth (DASHBOARD_USER +
 *   DASHBOARD_PASSWORD). Compared in constant time over SHA-256 digests, so neither the
 *   content nor the length of a secret leaks through timing.
 * - Without credentials the server only binds a loopback address, bull-board is read-only,
 *   and the Host header must name a loopback host (a DNS-rebinding page cannot read it).
 * - CSRF: a browser replays cached basic-auth credentials on cross-site requests just as it
 *   replays cookies, so credentials alone do not stop CSRF. Every state-changing request
 *   (anything but GET/HEAD/OPTIONS) must therefore come from this origin: Sec-Fetch-Site, when
 *   sent, must be same-origin (or none: typed by the user), and Origin, when sent, must match
 *   the Host. Browsers send at least one of them on every cross-site POST/PUT/PATCH/DELETE;
 *   clients that send neither (curl, scripts) are not browsers and cannot be forged into a
 *   request. bull-board's writing routes are PUT/PATCH/POST JSON calls.
 */
export interface DashboardCredentials {
  token?: string;
  user?: string;
  password?: string;
}

export class AccessConfigError extends Error {
  override name = 'AccessConfigError';
}

export function credentialsFrom(config: Config): DashboardCredentials {
  const user = config.dashboardUser || undefined;
  const password = config.dashboardPassword || undefined;
  if (user && !password) throw new AccessConfigError('DASHBOARD_USER is set but DASHBOARD_PASSWORD is not');
  if (password && !user) throw new AccessConfigError('DASHBOARD_PASSWORD is set but DASHBOARD_USER is not');
  return {
    ...(config.dashboardToken ? { token: config.dashboardToken } : {}),
    // Stryker disable next-line LogicalOperator: one without the other has thrown above
    ...(user && password ? { user, password } : {}),
  };
}

export function hasCredentials(c: DashboardCredentials): boolean {
  return Boolean(c.token || (c.user && c.password));
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Refuses an exposed bind without credentials, with a message that says how to fix it. */
export function assertSafeBind(host: string, credentials: DashboardCredentials): void {
  if (isLoopbackHost(host) || hasCredentials(credentials)) return;
  throw new AccessConfigError(
    `refusing to listen on ${host} without credentials: set DASHBOARD_TOKEN, or DASHBOARD_USER and ` +
      'DASHBOARD_PASSWORD, or bind a loopback address (--host 127.0.0.1)',
  );
}

function digest(value: string): Buffer {
  // Stryker disable next-line StringLiteral: '' is the default encoding, utf8
  return createHash('sha256').update(value, 'utf8').digest();
}

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Whether an Authorization header carries valid credentials. */
export function authorized(header: string | undefined, c: DashboardCredentials): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  // Stryker disable next-line ConditionalExpression,EqualityOperator: without a space no scheme matches; Node trims a leading space
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return c.token !== undefined && safeEqual(value, c.token);
  if (scheme === 'basic' && c.user !== undefined && c.password !== undefined) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Stryker disable next-line EqualityOperator: a colon at 0 means an empty user name, which credentialsFrom never accepts
    if (colon < 0) return false;
    // Both halves are always compared, so a wrong user name costs the same time as a wrong password.
    const userOk = safeEqual(decoded.slice(0, colon), c.user);
    const passOk = safeEqual(decoded.slice(colon + 1), c.password);
    return userOk && passOk;
  }
  return false;
}

export function requireCredentials(c: DashboardCredentials): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (authorized(req.headers.authorization, c)) return next();
    if (c.user) res.setHeader('WWW-Authenticate', 'Basic realm="stratum dashboard", charset="UTF-8"');
    else res.setHeader('WWW-Authenticate', 'Bearer realm="stratum dashboard"');
    res.status(401).json({ error: 'credentials required' });
  };
}

/** Without credentials, only requests addressed to a loopback host name are served. */
export function requireLoopbackHostHeader(): RequestHandler {
  return (req, res, next) => {
    // Stryker disable next-line StringLiteral: no Host header and any non-loopback text are refused alike
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (isLoopbackHost(host)) return next();
    res.status(421).json({ error: 'this dashboard only answers to a loopback host name' });
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function rejectCrossSiteWrites(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
      res.status(403).json({ error: `cross-site ${req.method} refused (Sec-Fetch-Site: ${site})` });
      return;
    }
    const origin = req.headers.origin;
    if (typeof origin === 'string') {
      const originHost = URL.canParse(origin) ? new URL(origin).host : undefined;
      if (originHost !== req.headers.host) {
        res.status(403).json({ error: `cross-origin ${req.method} refused` });
        return;
      }
    }
    next();
  };
}
