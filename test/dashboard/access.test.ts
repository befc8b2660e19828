import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import {
  AccessConfigError,
  assertSafeBind,
  credentialsFrom,
  type DashboardCredentials,
  hasCredentials,
  isLoopbackHost,
  rejectCrossSiteWrites,
  requireCredentials,
  requireLoopbackHostHeader,
} from '../../src/dashboard/access.js';

// The dashboard's access rules seen from a client: real HTTP requests on loopback against an
// express app guarded by the same middleware as the dashboard, with the headers a browser, a
// DNS-rebinding page or a script would send.

interface Answer {
  status: number;
  challenge: string | null;
  body: string;
}

async function serve(guards: express.RequestHandler[]): Promise<{ server: Server; port: number }> {
  const app = express();
  for (const g of guards) app.use(g);
  app.all('/{*any}', (_req, res) => res.json({ ok: true }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** node:http, not fetch: fetch drops a Host header set by hand, and the tests need to forge one. */
function ask(
  port: number,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/x', method: init.method ?? 'GET', headers: init.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const challenge = res.headers['www-authenticate'];
          resolve({
            status: res.statusCode ?? 0,
            challenge: typeof challenge === 'string' ? challenge : null,
            body,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('dashboard credentials over HTTP', () => {
  const both: DashboardCredentials = { token: 'tok-123', user: 'ann', password: 'pa:ss' };
  let server: Server;
  let port: number;
  let tokenOnly: { server: Server; port: number };
  beforeAll(async () => {
    ({ server, port } = await serve([requireCredentials(both)]));
    tokenOnly = await serve([requireCredentials({ token: 'tok-123' })]);
  });
  afterAll(() => {
    server.close();
    tokenOnly.server.close();
  });

  it('lets the right bearer token or the right user and password through', async () => {
    for (const header of ['Bearer tok-123', 'bearer tok-123', 'BEARER   tok-123  ', basic('ann:pa:ss')])
      expect((await ask(port, { headers: { authorization: header } })).status, header).toBe(200);
  });

  it('answers 401 with a basic challenge to anything else', async () => {
    const wrong = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer tok-12',
      'Bearer tok-1234',
      'Token tok-123',
      'tok-123',
      basic('ann:pa'),
      basic('ann:pa:ss:'),
      basic('Ann:pa:ss'),
      basic('ann'),
      basic(':pa:ss'),
      'Basic !!!',
      `Digest ${Buffer.from('ann:pa:ss').toString('base64')}`,
      `Negotiate ${Buffer.from('ann:pa:ss').toString('base64')}`,
    ];
    for (const header of wrong) {
      const answer = await ask(port, header === undefined ? {} : { headers: { authorization: header } });
      expect(answer, String(header)).toEqual({
        status: 401,
        challenge: 'Basic realm="stratum dashboard", charset="UTF-8"',
        body: '{"error":"credentials required"}',
      });
    }
  });

  it('with a token only: a bearer challenge, and basic auth is never accepted', async () => {
    expect(await ask(tokenOnly.port)).toMatchObject({
      status: 401,
      challenge: 'Bearer realm="stratum dashboard"',
    });
    expect((await ask(tokenOnly.port, { headers: { authorization: basic('ann:pa:ss') } })).status).toBe(401);
    expect((await ask(tokenOnly.port, { headers: { authorization: 'Bearer tok-123' } })).status).toBe(200);
  });

  it('an empty token or password configured is no credential at all', () => {
    expect(hasCredentials({})).toBe(false);
    expect(hasCredentials({ token: '' })).toBe(false);
    expect(hasCredentials({ user: 'ann' })).toBe(false);
    expect(hasCredentials({ password: 'x' })).toBe(false);
    expect(hasCredentials({ token: 't' })).toBe(true);
    expect(hasCredentials({ user: 'ann', password: 'x' })).toBe(true);
    expect(credentialsFrom(loadConfig({ DASHBOARD_TOKEN: '' }))).toStrictEqual({});
    expect(credentialsFrom(loadConfig({ DASHBOARD_TOKEN: 'abc' }))).toStrictEqual({ token: 'abc' });
    expect(() => credentialsFrom(loadConfig({ DASHBOARD_USER: 'ann' }))).toThrow(
      expect.objectContaining({ name: 'AccessConfigError' }),
    );
  });

  it('a user without a password, or a password without a user, is a configuration error naming the setting', () => {
    expect(() => credentialsFrom(loadConfig({ DASHBOARD_USER: 'ann' }))).toThrow(
      new AccessConfigError('DASHBOARD_USER is set but DASHBOARD_PASSWORD is not'),
    );
    expect(() => credentialsFrom(loadConfig({ DASHBOARD_PASSWORD: 'x' }))).toThrow(
      new AccessConfigError('DASHBOARD_PASSWORD is set but DASHBOARD_USER is not'),
    );
    expect(
      credentialsFrom(loadConfig({ DASHBOARD_TOKEN: 't', DASHBOARD_USER: 'ann', DASHBOARD_PASSWORD: 'x' })),
    ).toEqual({ token: 't', user: 'ann', password: 'x' });
  });
});

describe('binding without credentials', () => {
  it('is allowed on loopback addresses only', () => {
    for (const host of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(() => assertSafeBind(host, {}), host).not.toThrow();
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.5',
      '128.0.0.1',
      '127.attacker.example',
      'localhost.example',
    ])
      expect(() => assertSafeBind(host, {}), host).toThrow(
        `refusing to listen on ${host} without credentials: set DASHBOARD_TOKEN, or DASHBOARD_USER and DASHBOARD_PASSWORD, or bind a loopback address (--host 127.0.0.1)`,
      );
    expect(() => assertSafeBind('0.0.0.0', { token: 't' })).not.toThrow();
  });

  it('recognises only real loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.255.255.254', 'localhost', 'LocalHost', '::1', '[::1]'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      '127.attacker.example',
      '127.0.0.1.nip.io',
      'localhost.attacker.example',
      'notlocalhost',
      '0.0.0.0',
      '::',
      '[::]',
      '::2',
      '126.0.0.1',
      '1127.0.0.1',
      'local]host',
      'local[host',
      'localhost]x',
      '',
    ])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('Host header check (DNS rebinding)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await serve([requireLoopbackHostHeader()]));
  });
  afterAll(() => server.close());

  it('serves requests addressed to a loopback host name, with or without a port', async () => {
    for (const host of ['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `localhost:${port}`, `[::1]:${port}`])
      expect((await ask(port, { headers: { host } })).status, host).toBe(200);
  });

  it('answers 421 to any other host name', async () => {
    for (const host of [
      'attacker.example',
      `127.attacker.example:${port}`,
      'localhost.attacker.example',
      '0.0.0.0',
    ])
      expect(await ask(port, { headers: { host } }), host).toMatchObject({
        status: 421,
        body: '{"error":"this dashboard only answers to a loopback host name"}',
      });
  });
});

describe('cross-site writes (CSRF)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await serve([rejectCrossSiteWrites()]));
  });
  afterAll(() => server.close());
  const self = () => `http://127.0.0.1:${port}`;

  it('always lets reads through, whatever the site headers say', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS'])
      expect(
        (
          await ask(port, {
            method,
            headers: { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
          })
        ).status,
        method,
      ).toBe(200);
  });

  it('refuses writes from another site, even a sibling one', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const site of ['cross-site', 'same-site'])
        expect(
          await ask(port, { method, headers: { 'sec-fetch-site': site } }),
          `${method} ${site}`,
        ).toMatchObject({
          status: 403,
          body: JSON.stringify({ error: `cross-site ${method} refused (Sec-Fetch-Site: ${site})` }),
        });
      expect(await ask(port, { method, headers: { origin: 'http://evil.example' } }), method).toMatchObject({
        status: 403,
        body: JSON.stringify({ error: `cross-origin ${method} refused` }),
      });
      expect(
        (await ask(port, { method, headers: { origin: `http://127.0.0.1:${port + 1}` } })).status,
        method,
      ).toBe(403);
      expect((await ask(port, { method, headers: { origin: 'null' } })).status, `${method} null origin`).toBe(
        403,
      );
    }
  });

  it('accepts same-origin writes, typed-in navigation, and clients that are not browsers', async () => {
    expect((await ask(port, { method: 'PUT', headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(
      200,
    );
    expect((await ask(port, { method: 'PUT', headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    expect((await ask(port, { method: 'POST', headers: { origin: self() } })).status).toBe(200);
    expect(
      (await ask(port, { method: 'PATCH', headers: { origin: self(), 'sec-fetch-site': 'same-origin' } }))
        .status,
    ).toBe(200);
    expect((await ask(port, { method: 'DELETE' })).status).toBe(200);
  });

  it('refuses a same-origin Sec-Fetch-Site paired with a foreign Origin', async () => {
    expect(
      (
        await ask(port, {
          method: 'POST',
          headers: { 'sec-fetch-site': 'same-origin', origin: 'http://evil.example' },
        })
      ).status,
    ).toBe(403);
  });
});

describe('half-configured credentials', () => {
  it('let nobody in and never fail open or crash, whichever half is missing', async () => {
    const cases: Array<[DashboardCredentials, string[]]> = [
      [{ user: 'ann' }, [basic('ann:'), basic('ann:x'), 'Bearer x']],
      [{ password: 'pw' }, [basic(':pw'), basic('ann:pw'), 'Bearer pw']],
      [{ user: 'an', password: 'ann' }, [basic('ann'), 'Bearer ann']],
    ];
    for (const [credentials, headers] of cases) {
      const { server, port } = await serve([requireCredentials(credentials)]);
      try {
        for (const authorization of headers)
          expect(
            (await ask(port, { headers: { authorization } })).status,
            `${JSON.stringify(credentials)} ${authorization}`,
          ).toBe(401);
      } finally {
        server.close();
      }
    }
  });
});
