// jwt_authn, HTTP RBAC and network RBAC through a real proxy with real
// sockets: the outcomes of Istio's tasks (missing token passes unless a
// request principal is required, invalid token 401, method/path policies,
// TCP denial closes), what jwt_authn does to the request (strip, payload and
// claim headers, query tokens, CORS preflight bypass), remote JWKS caching,
// Envoy's counters and the access log's flags and details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RBAC_DENIED_BODY, SECURITY_TYPED } from '@sextant/policy';
import type { Dataplane } from './dataplane';
import { peerPrincipal, uriSan } from './peer-principal';
import { normalizeRequestPath } from './rbac-filter';
import { statsText } from './proxy-stats';
import { httpStatus, rsaSigner, startJwksServer, tcpReaches, type Signer } from './security-testing';
import { FakeConfigSource, freePorts, hcm, listener, route, routeConfig, startTcpEcho, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, type Upstream } from './testing';
import http2 from 'node:http2';
import net from 'node:net';

const ISS = 'https://issuer.example';
const path = (prefix: string) => ({ urlPath: { path: { prefix } } });
const not = (p: object) => ({ notRule: p });
const method = (m: string) => ({ header: { name: ':method', stringMatch: { exact: m } } });
const and = (...rules: object[]) => ({ andRules: { rules } });
const payload = (key: string) => ({ metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key }], value: { stringMatch: { safeRegex: { regex: '.+' } } } } });

const JWT = {
  name: 'envoy.filters.http.jwt_authn',
  typedConfig: {
    '@type': SECURITY_TYPED.jwtAuthn,
    providers: {
      'origins-0': {
        issuer: ISS,
        remoteJwks: { httpUri: { uri: 'http://jwks.example/jwks.json', cluster: 'jwks', timeout: { seconds: 2 } }, cacheDuration: { seconds: 300 } },
        forwardPayloadHeader: 'x-jwt-payload',
        claimToHeaders: [{ headerName: 'x-jwt-sub', claimName: 'sub' }],
        payloadInMetadata: 'payload',
      },
    },
    rules: [{ match: { prefix: '/' }, requires: { requiresAny: { requirements: [{ providerName: 'origins-0' }, { allowMissing: {} }] } } }],
    bypassCorsPreflight: true,
  },
};
const DENY = {
  name: 'envoy.filters.http.rbac.deny',
  typedConfig: { '@type': SECURITY_TYPED.httpRbac, rules: { action: 'DENY', policies: {
      'ns[foo]-policy[deny-post]-rule[0]': { permissions: [and(method('POST'), not(path('/public')))], principals: [{ any: true }] },
      'ns[foo]-policy[deny-admin]-rule[0]': { permissions: [path('/admin')], principals: [{ any: true }] },
    } } },
};
const ALLOW = {
  name: 'envoy.filters.http.rbac.allow',
  typedConfig: {
    '@type': SECURITY_TYPED.httpRbac,
    rules: {
      action: 'ALLOW',
      policies: {
        'ns[foo]-policy[require-jwt]-rule[0]': { permissions: [path('/secure')], principals: [{ andIds: { ids: [payload('iss'), payload('sub')] } }] },
        'ns[foo]-policy[open]-rule[0]': { permissions: [and(not(path('/secure')), not(path('/mesh-only')))], principals: [{ any: true }] },
        'ns[foo]-policy[mesh]-rule[0]': { permissions: [path('/mesh-only')], principals: [{ authenticated: { principalName: { prefix: 'spiffe://cluster.local/' } } }] },
      },
    },
    shadowRules: { action: 'DENY', policies: { 'ns[foo]-policy[dry]-rule[0]': { permissions: [path('/shadow')], principals: [{ any: true }] } } },
    shadowRulesStatPrefix: 'istio_dry_run_allow_',
  },
};
const tcpRbac = (action: 'ALLOW' | 'DENY', permission: object) => ({
  name: `envoy.filters.network.rbac.${action.toLowerCase()}`,
  typedConfig: { '@type': SECURITY_TYPED.networkRbac, statPrefix: 'tcp.', rules: { action, policies: { 'ns[foo]-policy[tcp]-rule[0]': { permissions: [permission], principals: [{ directRemoteIp: { addressPrefix: '127.0.0.0', prefixLen: { value: 8 } } }] } } } },
});

let dp: Dataplane;
let signer: Signer;
let forger: Signer;
let app: Upstream;
let tcpApp: { port: number; close(): Promise<void> };
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let httpPort: number;
let denyTcpPort: number;
let allowTcpPort: number;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  [signer, forger] = await Promise.all([rsaSigner('k1'), rsaSigner('k1')]);
  [app, tcpApp, jwks] = await Promise.all([startUpstream('app'), startTcpEcho('tcp-app'), startJwksServer([signer.jwk])]);
  [httpPort, denyTcpPort, allowTcpPort] = (await freePorts(3)) as [number, number, number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('app', [app.port]), staticCluster('tcp', [tcpApp.port]), staticCluster('jwks', [jwks.port]))
    .set('route', routeConfig('r', [vhost(['*'], [route('/', { cluster: 'app' })])]))
    .set(
      'listener',
      listener('http', httpPort, [{ filters: [hcm({ rds: 'r' }, { statPrefix: 'inbound_8080', filters: [JWT, DENY, ALLOW], extra: { normalizePath: { value: true }, accessLog: [{ name: 'envoy.access_loggers.stdout' }] } })] }]),
      listener('tcp-deny', denyTcpPort, [{ filters: [tcpRbac('DENY', { any: true }), tcpProxy('tcp')] }]),
      listener('tcp-allow', allowTcpPort, [{ filters: [tcpRbac('ALLOW', { destinationPort: allowTcpPort }), tcpProxy('tcp')] }]),
    );
  dp = testDataplane({ accessLog: { mode: 'on', logger: { info: (o: Record<string, unknown>) => lines.push(o) } as never } });
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([app.close(), tcpApp.close(), jwks.close()]);
});

const get = (p: string, headers: Record<string, string> = {}, m = 'GET') => httpStatus(httpPort, { method: m, path: p, headers: { host: 'svc', ...headers } });
const logOf = async (p: string) => {
  await new Promise((r) => setTimeout(r, 20));
  return lines.filter((l) => l['path'] === p).at(-1);
};

describe('request authentication (jwt_authn)', () => {
  it('no token: authentication passes; a path that requires a request principal is denied by RBAC (403)', async () => {
    expect((await get('/anything')).status).toBe(200);
    const r = await get('/secure');
    expect(r).toMatchObject({ status: 403, body: RBAC_DENIED_BODY });
    expect(await logOf('/secure')).toMatchObject({ response_code: 403, response_flags: 'RBAC', response_code_details: 'rbac_access_denied_matched_policy[none]' });
  });

  it('a valid token: 200; the token is stripped, payload and claim headers are added', async () => {
    const t = await signer.sign({ iss: ISS, sub: 'alice', scope: 'read write' });
    const r = await get('/secure', { authorization: `Bearer ${t}` });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as { headers: Record<string, string> };
    expect(seen.headers['authorization']).toBeUndefined();
    expect(seen.headers['x-jwt-sub']).toBe('alice');
    expect(JSON.parse(Buffer.from(seen.headers['x-jwt-payload']!, 'base64url').toString())).toMatchObject({ iss: ISS, sub: 'alice', scope: 'read write' });
    expect((await get(`/secure?access_token=${t}`)).status).toBe(200);
  });

  it('an invalid token: 401 with Envoy body and www-authenticate, even where no principal is required', async () => {
    const forged = await forger.sign({ iss: ISS, sub: 'mallory' });
    const r = await get('/secure/x?y=1', { authorization: `Bearer ${forged}` });
    expect(r).toMatchObject({ status: 401, body: 'Jwt verification fails' });
    expect(r.headers['www-authenticate']).toBe('Bearer realm="http://svc/secure/x", error="invalid_token"');
    expect((await get('/open', { authorization: `Bearer ${forged}` })).status).toBe(401);
    const expired = await signer.sign({ iss: ISS, sub: 'alice', exp: Math.floor(Date.now() / 1000) - 600 });
    expect((await get('/open-expired', { authorization: `Bearer ${expired}` })).status).toBe(401);
    expect(await logOf('/open-expired')).toMatchObject({ response_code: 401, response_code_details: 'jwt_authn_access_denied{Jwt_verification_fails}' });
    expect((await get('/open', { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
  });

  it('a token from another issuer counts as missing (allow_missing): passes authentication', async () => {
    const other = await signer.sign({ iss: 'https://elsewhere', sub: 'bob' });
    expect((await get('/open', { authorization: `Bearer ${other}` })).status).toBe(200);
    expect((await get('/secure', { authorization: `Bearer ${other}` })).status).toBe(403);
  });

  it('CORS preflights bypass verification', async () => {
    const forged = await forger.sign({ iss: ISS, sub: 'mallory' });
    const r = await get('/open', { authorization: `Bearer ${forged}`, origin: 'https://app.example', 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect(r.status).toBe(200);
  });

  it('over HTTP/2 (h2c) too: the async verification holds the stream, then routes it', async () => {
    const t = await signer.sign({ iss: ISS, sub: 'alice' });
    const session = http2.connect(`http://127.0.0.1:${httpPort}`);
    const h2get = (headers: Record<string, string>) =>
      new Promise<number>((done, fail) => {
        const st = session.request({ ':path': '/secure', ':authority': 'svc', ...headers });
        st.on('response', (h) => {
          st.resume();
          st.on('end', () => done(Number(h[':status'])));
        });
        st.on('error', fail);
        st.end();
      });
    try {
      expect(await Promise.all([h2get({ authorization: `Bearer ${t}` }), h2get({}), h2get({ authorization: `Bearer ${t}` })])).toEqual([200, 403, 200]);
    } finally {
      session.close();
    }
  });

  it('the remote JWKS was fetched once through cluster jwks and cached', () => {
    expect(jwks.fetches()).toBe(1);
  });
});

describe('authorization (HTTP RBAC)', () => {
  it('DENY stage: POST outside /public is denied with the matched policy in the access log; GET and POST /public pass', async () => {
    expect((await get('/post', {}, 'POST')).status).toBe(403);
    expect(await logOf('/post')).toMatchObject({ response_flags: 'RBAC', response_code_details: 'rbac_access_denied_matched_policy[ns[foo]-policy[deny-post]-rule[0]]' });
    expect((await get('/public/form', {}, 'POST')).status).toBe(200);
    expect((await get('/post')).status).toBe(200);
  });

  it('with normalize_path, RBAC judges the normalized path: dot segments and encoded letters cannot dodge a deny', async () => {
    for (const p of ['/admin/x', '/public/../admin/x', '/%61dmin', '/./admin', '/public/..\\admin']) expect((await get(p)).status, p).toBe(403);
    expect((await get('/public/admin')).status).toBe(200);
    expect(normalizeRequestPath('/a/./b/../c/%7Eu%2F?x=/../y', false)).toBe('/a/c/~u%2F?x=/../y');
    expect(normalizeRequestPath('//a//b/..', true)).toBe('/a/');
  });

  it('authenticated principals need a verified peer certificate: plaintext has none (403)', async () => {
    expect((await get('/mesh-only')).status).toBe(403);
  });

  it('shadow rules are counted, never enforced; counters are in /stats', async () => {
    expect((await get('/shadow')).status).toBe(200);
    const stats = statsText(dp);
    expect(stats).toMatch(/^http\.inbound_8080\.rbac\.istio_dry_run_allow_shadow_denied: 1$/m);
    expect(stats).toMatch(/^http\.inbound_8080\.rbac\.denied: [1-9]/m);
    expect(stats).toMatch(/^http\.inbound_8080\.rbac\.allowed: [1-9]/m);
    expect(stats).toMatch(/^http\.inbound_8080\.jwt_authn\.denied: [1-9]/m);
    expect(stats).toMatch(/^http\.inbound_8080\.jwt_authn\.allowed: [1-9]/m);
  });
});

describe('authorization (network RBAC)', () => {
  it('a denied TCP connection is closed before reaching the upstream; an allowed one is proxied', async () => {
    expect(await tcpReaches(denyTcpPort)).toBe(false);
    expect(await tcpReaches(allowTcpPort)).toBe(true);
    const stats = statsText(dp);
    expect(stats).toMatch(/^tcp\.rbac\.denied: 1$/m);
    expect(stats).toMatch(/^tcp\.rbac\.allowed: 1$/m);
  });
});

describe('peer principal accessor', () => {
  it('reads the URI SAN; plaintext sockets have none', () => {
    expect(uriSan('DNS:httpbin.foo, URI:spiffe://cluster.local/ns/foo/sa/sleep')).toBe('spiffe://cluster.local/ns/foo/sa/sleep');
    expect(uriSan('DNS:a.example')).toBeUndefined();
    expect(peerPrincipal(new net.Socket())).toBeUndefined();
  });
});
