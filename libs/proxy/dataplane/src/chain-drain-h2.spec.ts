// A sidecar pair talking HTTP/2 to each other (h2c, and mTLS h2 the way
// auto mTLS does it) under a constant flow of requests while the server
// sidecar's inbound filter chain changes: an AuthorizationPolicy comes and
// goes on the plaintext chain, PeerAuthentication flips PERMISSIVE <-> STRICT
// on the mTLS one. The server drains the client proxy's sessions (GOAWAY),
// finishes every stream it accepted, and the client proxy retries whatever the
// server never processed on a fresh session: no request fails, POSTs (which
// the default policy never retries once they may have reached the app)
// included, and no request reaches the application twice.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_TYPED } from '@sextant/policy';
import type { Dataplane } from './dataplane';
import { statEntries } from './proxy-stats';
import { FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';
import { createTestCa, inboundChains, issueLeaf, istioMutualSocket, meshSecrets, spiffe } from './tls-testing';

const H2 = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } };
const ALLOW_ANY = { name: 'envoy.filters.http.rbac', typedConfig: { '@type': SECURITY_TYPED.httpRbac, rules: { action: 'ALLOW', policies: { any: { permissions: [{ any: true }], principals: [{ any: true }] } } } } };
const SERVER_ID = spiffe('default', 'echo');

let app: Upstream;
let server: Dataplane;
let client: Dataplane;
let P: { h2c: number; mtls: number; out: number };
const serverSrc = new FakeConfigSource();

const inboundHcm = (filters: object[]) =>
  hcm({ inline: routeConfig('in', [vhost(['*'], [route('/', { cluster: 'app' })])]) }, { filters, statPrefix: 'inbound', extra: { drainTimeout: { nanos: 100_000_000 } } });
const h2cListener = (filters: object[]) => listener('h2c', P.h2c, inboundChains(P.h2c, 'PERMISSIVE', [inboundHcm(filters)], 'http'), { trafficDirection: 'INBOUND' });
const mtlsListener = (mode: 'STRICT' | 'PERMISSIVE') => listener('mtls', P.mtls, inboundChains(P.mtls, mode, [inboundHcm([])], 'http'), { trafficDirection: 'INBOUND' });

beforeAll(async () => {
  app = await startUpstream('app');
  const [a, b, c] = (await freePorts(3)) as [number, number, number];
  P = { h2c: a, mtls: b, out: c };
  const ca = createTestCa();
  server = testDataplane({ secrets: meshSecrets(ca, issueLeaf(ca, { uris: [SERVER_ID] })), filterChainDrainMs: 3_000 });
  await server.apply(serverSrc.set('cluster', staticCluster('app', [app.port])).set('listener', h2cListener([]), mtlsListener('PERMISSIVE')).snapshot());
  client = testDataplane({ secrets: meshSecrets(ca, issueLeaf(ca, { uris: [spiffe('default', 'sleep')] })) });
  await client.apply(
    new FakeConfigSource()
      .set(
        'cluster',
        staticCluster('h2c', [P.h2c], { typedExtensionProtocolOptions: H2 }),
        staticCluster('mtls', [P.mtls], { typedExtensionProtocolOptions: H2, transportSocket: istioMutualSocket('outbound_.80_._.echo.default.svc.cluster.local', [SERVER_ID], true) }),
      )
      .set('route', routeConfig('out', [vhost(['*'], [route('/h2c', { cluster: 'h2c' }), route('/mtls', { cluster: 'mtls' })])]))
      .set('listener', listener('out', P.out, [{ filters: [hcm({ rds: 'out' })] }]))
      .snapshot(),
  );
});

afterAll(async () => {
  client.close();
  server.close();
  await app.close();
});

function call(agent: http.Agent, method: string, path: string, i: number): Promise<number | string> {
  return new Promise((ok) => {
    const body = method === 'POST' ? `request ${i}` : '';
    // Some requests are still inside the app when the drain starts.
    const headers: Record<string, string> = { 'x-echo-id': `${path}-${i}`, 'x-echo-delay-ms': String(i % 7 === 0 ? 60 : i % 3) };
    if (body) headers['content-length'] = String(body.length);
    const req = http.request({ host: '127.0.0.1', port: P.out, path, method, agent, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok(res.statusCode === 200 ? 200 : `${res.statusCode} ${text}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => ok(e.code ?? e.message));
    req.end(body);
  });
}

/** A constant flow (POST and GET, `concurrency` in flight) until `during` is done; the outcomes that were not 200. */
async function flow(path: string, concurrency: number, during: () => Promise<void>): Promise<{ sent: number; failures: (number | string)[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: (number | string)[] = [];
  let next = 0;
  let done = false;
  const worker = async () => {
    while (!done) {
      const i = next++;
      const r = await call(agent, i % 2 === 0 ? 'POST' : 'GET', path, i);
      if (r !== 200) failures.push(r);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await during();
  done = true;
  await Promise.all(workers);
  agent.destroy();
  return { sent: next, failures };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stat = (dp: Dataplane, name: string) => new Map(statEntries(dp)).get(name) ?? 0;

/** Every request id the app saw more than once (a retry of a request that had reached it). */
function duplicates(prefix: string): string[] {
  return [...app.seen].filter(([id, n]) => id.startsWith(prefix) && n > 1).map(([id]) => id);
}

describe('HTTP/2 between sidecars while the server chain drains', () => {
  it('h2c: an AuthorizationPolicy applied and removed four times under load, no request fails', async () => {
    const drained = server.listeners.chains.drained;
    const { sent, failures } = await flow('/h2c', 16, async () => {
      for (const filters of [[ALLOW_ANY], [], [ALLOW_ANY], []]) {
        await pause(200);
        await server.apply(serverSrc.set('listener', h2cListener(filters), mtlsListener('PERMISSIVE')).snapshot());
      }
      await pause(200);
    });
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect(server.listeners.chains.drained).toBeGreaterThanOrEqual(drained + 4);
    expect(duplicates('/h2c-')).toEqual([]);
  });

  it('mTLS h2: PeerAuthentication PERMISSIVE -> STRICT -> PERMISSIVE under load, no request fails', async () => {
    const drained = server.listeners.chains.drained;
    const { sent, failures } = await flow('/mtls', 16, async () => {
      for (const mode of ['STRICT', 'PERMISSIVE', 'STRICT', 'PERMISSIVE'] as const) {
        await pause(200);
        await server.apply(serverSrc.set('listener', h2cListener([]), mtlsListener(mode)).snapshot());
      }
      await pause(200);
    });
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect(server.listeners.chains.drained).toBeGreaterThanOrEqual(drained + 4);
    expect(duplicates('/mtls-')).toEqual([]);
    expect(stat(client, 'cluster.mtls.upstream_rq_retry_overflow')).toBe(0);
  });
});
