// Writes on TLS sockets through real sockets: a request with a body over an
// mTLS hop between two sidecars (the upstream request head and its body
// back to back), chunked request bodies, and large streamed responses to a
// TLS downstream. A TLSWrap accepts one write at a time; overlapping writes
// abort the whole process (TLSWrap::DoWrite: !current_write_), which would
// take the test worker down with it.
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, hcm, listener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, SELF, type Upstream } from './testing';
import { autoMtlsMatches, createTestCa, inboundChains, issueLeaf, meshSecrets, spiffe, tlsModeMetadata, type TestCa } from './tls-testing';

const SERVER_ID = spiffe('default', 'server');
let ca: TestCa;
let app: Upstream;
let inbound: Dataplane;
let outbound: Dataplane;
const P = { strict: 0, out: 0, gw: 0 };

interface Echo {
  method: string;
  body: string;
  headers: Record<string, string>;
}

beforeAll(async () => {
  ca = createTestCa();
  app = await startUpstream('app');
  [P.strict, P.out, P.gw] = (await freePorts(3)) as [number, number, number];
  inbound = testDataplane({ self: { ...SELF, serviceAccount: 'server' }, secrets: meshSecrets(ca, issueLeaf(ca, { uris: [SERVER_ID] })) });
  const appRoutes = { inline: routeConfig('inbound', [vhost(['*'], [route('/', { cluster: 'inbound|app' })])]) };
  const gwLeaf = issueLeaf(ca, { dns: ['gw.example.com'] });
  const gwSocket = { name: 'envoy.transport_sockets.tls', typedConfig: { '@type': EXTENSION_TYPE_URL.downstreamTlsContext, commonTlsContext: { alpnProtocols: ['http/1.1'], tlsCertificates: [{ certificateChain: { inlineString: gwLeaf.certPem }, privateKey: { inlineString: gwLeaf.keyPem } }] } } };
  await inbound.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('inbound|app', [app.port]))
      .set(
        'listener',
        listener('strict', P.strict, inboundChains(P.strict, 'STRICT', [hcm(appRoutes)], 'http')),
        listener('gw', P.gw, [{ transportSocket: gwSocket, filters: [hcm(appRoutes)] }], { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }] }),
      )
      .snapshot(),
  );
  outbound = testDataplane({ self: { ...SELF, serviceAccount: 'client' }, secrets: meshSecrets(ca, issueLeaf(ca, { uris: [spiffe('default', 'client')] })) });
  const mtls = staticCluster('mtls', [P.strict], { transportSocketMatches: autoMtlsMatches('outbound_.80_._.server.default.svc.cluster.local', [SERVER_ID], true) }) as { loadAssignment: { endpoints: { lbEndpoints: object[] }[] } };
  Object.assign(mtls.loadAssignment.endpoints[0]!.lbEndpoints[0]!, tlsModeMetadata('istio'));
  await outbound.apply(
    new FakeConfigSource()
      .set('cluster', mtls)
      .set('route', routeConfig('out', [vhost(['*'], [route('/', { cluster: 'mtls' })])]))
      .set('listener', listener('out', P.out, [{ filters: [hcm({ rds: 'out' })] }]))
      .snapshot(),
  );
}, 30_000);

afterAll(async () => {
  outbound?.close();
  inbound?.close();
  await app?.close();
});

/** A request whose body is sent in `parts` writes, chunked (no content-length). */
function chunkedPost(port: number, parts: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/chunked', method: 'POST', headers: { host: 'svc' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    let i = 0;
    const step = () => {
      if (i === parts.length) return req.end();
      req.write(parts[i++]);
      setTimeout(step, 5);
    };
    step();
  });
}

describe('HTTP/1.1 over an mTLS hop (sidecar to sidecar)', () => {
  it('a POST with a body reaches the app once, for small and large bodies, and the sending proxy lives on', async () => {
    for (const size of [1, 100, 70_000, 1_000_000]) {
      const body = 'x'.repeat(size);
      const r = await request(P.out, `/post-${size}`, { method: 'POST', body, headers: { 'content-type': 'text/plain', 'x-echo-id': `post-${size}` } });
      expect(r.status).toBe(200);
      const echo = r.json<Echo>();
      expect(echo.method).toBe('POST');
      expect(echo.body.length).toBe(size);
      expect(app.seen.get(`post-${size}`)).toBe(1);
      expect(echo.headers['x-forwarded-client-cert']).toContain('URI=spiffe://cluster.local/ns/default/sa/client');
    }
    // Many at once, on pooled TLS connections.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => request(P.out, '/many', { method: 'PUT', body: `body-${i}`, agent: false })));
    expect(many.map((r) => r.json<Echo>().body).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `body-${i}`).sort());
    // A 503 answer to a POST is passed back (not retried by default) and the proxy still serves.
    const r503 = await request(P.out, '/fail', { method: 'POST', body: 'once', headers: { 'x-echo-status': '503', 'x-echo-id': 'post-503' } });
    expect(r503.status).toBe(503);
    expect(app.seen.get('post-503')).toBe(1);
    expect((await request(P.out, '/after')).status).toBe(200);
  }, 30_000);

  it('a chunked request body sent in several writes arrives whole', async () => {
    const parts = Array.from({ length: 8 }, (_, i) => `part${i}-${'y'.repeat(i * 1000)};`);
    const r = await chunkedPost(P.out, parts);
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as Echo).body).toBe(parts.join(''));
  });
});

describe('HTTP/1.1 to a TLS downstream', () => {
  const get = (path: string, headers: Record<string, string>, method = 'GET', body?: string) =>
    new Promise<{ status: number; length: number; body: string }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: P.gw, path, method, ca: ca.certPem, servername: 'gw.example.com', headers: { host: 'gw.example.com', ...headers }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, length: b.length, body: b.toString() });
        });
      });
      req.on('error', reject);
      req.on('socket', (s: tls.TLSSocket) => s.on('error', reject));
      req.end(body);
    });

  it('large responses that arrive in many chunks are written whole (head and first chunk, then the rest)', async () => {
    for (const size of [10, 20_000, 70_000, 200_000, 3_000_000]) {
      const r = await get('/big', { 'x-echo-body-bytes': String(size) });
      expect(r.status).toBe(200);
      expect(r.length).toBe(size);
    }
    const all = await Promise.all(Array.from({ length: 6 }, () => get('/big', { 'x-echo-body-bytes': '500000' })));
    expect(all.map((r) => r.length)).toEqual(Array(6).fill(500_000));
  }, 30_000);

  it('a POST through the TLS listener reaches the app with its body', async () => {
    const r = await get('/post', { 'content-type': 'text/plain' }, 'POST', 'z'.repeat(100_000));
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as Echo).body.length).toBe(100_000);
  });
});
