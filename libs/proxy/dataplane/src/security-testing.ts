// Test helpers for the security filters (not part of the public surface):
// real RSA keys and signed JWTs, a JWKS server that counts its fetches,
// Pilot's golden security output (libs/pilot/security/test/golden, read
// as data) rewritten to run against local upstreams, and a client that
// reports what a user of Istio's tasks sees (status, or 0 when the
// connection is closed).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { resolve } from 'node:path';
import type { ListenerObject } from '@sextant/policy';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export const GOLDEN_DIR = resolve(import.meta.dirname, '../../../pilot/security/test/golden');

export interface GoldenOutput {
  listeners: (ListenerObject & Record<string, unknown>)[];
}

export function readGolden(name: string): GoldenOutput {
  return JSON.parse(readFileSync(resolve(GOLDEN_DIR, `${name}.json`), 'utf8')) as GoldenOutput;
}

export interface Signer {
  jwk: JWK;
  sign(claims: Record<string, unknown>, opts?: { expiresIn?: string }): Promise<string>;
}

export async function rsaSigner(kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    jwk,
    sign: (claims, opts = {}) => {
      const t = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuedAt();
      return (claims['exp'] === undefined ? t.setExpirationTime(opts.expiresIn ?? '1h') : t).sign(privateKey);
    },
  };
}

/** Serves GET /jwks.json; counts the fetches. */
export async function startJwksServer(keys: JWK[]): Promise<{ port: number; fetches(): number; close(): Promise<void> }> {
  let fetches = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    fetches: () => fetches,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Obj = Record<string, unknown>;

/**
 * A golden listener made runnable here: bound to 127.0.0.1:`port`, every
 * HCM routed to cluster `http-up`, every TCP proxy to `tcp-up`, every JWT
 * provider's remote JWKS fetched from cluster `jwks` (GET /jwks.json).
 * Chains with a transport socket are dropped (plaintext clients), and a
 * STRICT listener (no plaintext chain) has its mTLS chains turned into
 * plaintext ones; with `keepTls` the chains stay as they are (mTLS tests).
 * Everything else security-related (RBAC and jwt_authn configs,
 * use_remote_address) is kept as Pilot generated it; the reference
 * evaluator is run on this same listener.
 */
export function runnableListener(l: ListenerObject & Obj, port: number, keepTls = false): Obj {
  const fix = (chain: Obj) => ({
    ...chain,
    filters: (chain['filters'] as Obj[]).map((f) => {
      const tc = f['typedConfig'] as Obj;
      if (String(tc['@type']).endsWith('TcpProxy')) return { ...f, typedConfig: { ...tc, cluster: 'tcp-up', statPrefix: 'tcp-up' } };
      if (!String(tc['@type']).endsWith('HttpConnectionManager')) return f;
      const { rds: _rds, routeConfig: _rc, ...rest } = tc;
      const routeConfig = { name: 'local', virtualHosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'http-up' } }] }] };
      const httpFilters = (rest['httpFilters'] as Obj[]).map((h) => (String((h['typedConfig'] as Obj)['@type']).endsWith('JwtAuthentication') ? { ...h, typedConfig: localJwks(h['typedConfig'] as Obj) } : h));
      return { ...f, typedConfig: { ...rest, routeConfig, httpFilters } };
    }),
  });
  const all = (l.filterChains ?? []) as unknown as Obj[];
  let plain = keepTls ? all : all.filter((c) => c['transportSocket'] === undefined);
  // STRICT: no plaintext chain at all; run its mTLS chains as plaintext ones (no peer principal then).
  if (plain.length === 0) plain = all.map(({ transportSocket: _t, ...c }) => ({ ...c, filterChainMatch: { ...(c['filterChainMatch'] as Obj), transportProtocol: 'raw_buffer', applicationProtocols: [] } }));
  const chains = plain.map(fix);
  // Listener filters by name only (their typed configs are not among the protos the proxy loads).
  const listenerFilters = ((l['listenerFilters'] ?? []) as Obj[]).map((f) => ({ name: f['name'] }));
  return { ...l, address: { socketAddress: { address: '127.0.0.1', portValue: port } }, listenerFilters, filterChains: chains, ...(l.defaultFilterChain ? { defaultFilterChain: fix(l.defaultFilterChain as unknown as Obj) } : {}) };
}

function localJwks(cfg: Obj): Obj {
  const providers: Record<string, Obj> = {};
  for (const [name, p] of Object.entries(cfg['providers'] as Record<string, Obj>)) {
    const { localJwks: _l, remoteJwks: _r, ...rest } = p;
    providers[name] = { ...rest, remoteJwks: { httpUri: { uri: 'http://jwks.test/jwks.json', cluster: 'jwks', timeout: { seconds: 2 } }, cacheDuration: { seconds: 300 } } };
  }
  return { ...cfg, providers };
}

/** Status of one HTTP/1.1 request on a fresh connection; 0 when the connection is closed or reset. */
export function httpStatus(port: number, opts: { method?: string; path?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((done) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      res.on('error', () => done({ status: 0, body: '', headers: {} }));
    });
    req.on('error', () => done({ status: 0, body: '', headers: {} }));
    req.end();
  });
}

/** Opens a TCP connection, sends `hello`, and reports whether the echo came back (true) or the proxy closed it (false). */
export function tcpReaches(port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((done) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (v: boolean) => {
      clearTimeout(timer);
      s.destroy();
      done(v);
    };
    s.on('connect', () => s.write('hello'));
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.endsWith('hello')) finish(true);
    });
    s.on('error', () => finish(false));
    s.on('close', () => finish(got.endsWith('hello')));
  });
}
