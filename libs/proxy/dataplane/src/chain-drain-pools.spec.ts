// A sidecar pair under load while the server side's filter chain changes
// (an RBAC filter comes and goes, as when an AuthorizationPolicy is applied):
// the server drains the client proxy's pooled connections (HTTP/1
// `connection: close`, HTTP/2 GOAWAY) and the client's pools retire them
// without failing a request, POSTs included (retried only when the server
// never processed them).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_TYPED } from '@sextant/policy';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

const H2 = { typedExtensionProtocolOptions: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } } };
const ALLOW_ANY = { name: 'envoy.filters.http.rbac', typedConfig: { '@type': SECURITY_TYPED.httpRbac, rules: { action: 'ALLOW', policies: { any: { permissions: [{ any: true }], principals: [{ any: true }] } } } } };

let app: Upstream;
let server: Dataplane;
let client: Dataplane;
let P: { in: number; out: number };
const serverSrc = new FakeConfigSource();

const inbound = (filters: object[]) =>
  listener('inbound', P.in, [{ filters: [hcm({ inline: routeConfig('in', [vhost(['*'], [route('/', { cluster: 'app' })])]) }, { filters, statPrefix: 'inbound', extra: { drainTimeout: { nanos: 200_000_000 } } })] }]);

beforeAll(async () => {
  app = await startUpstream('app');
  const [a, b] = (await freePorts(2)) as [number, number];
  P = { in: a, out: b };
  server = testDataplane({ filterChainDrainMs: 2_000 });
  await server.apply(serverSrc.set('cluster', staticCluster('app', [app.port])).set('listener', inbound([])).snapshot());
  client = testDataplane();
  await client.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('server', [P.in]), staticCluster('server-h2', [P.in], H2))
      .set('route', routeConfig('out', [vhost(['*'], [route('/h2', { cluster: 'server-h2' }), route('/', { cluster: 'server' })])]))
      .set('listener', listener('out', P.out, [{ filters: [hcm({ rds: 'out' })] }]))
      .snapshot(),
  );
});

afterAll(async () => {
  client.close();
  server.close();
  await app.close();
});

function post(agent: http.Agent, path: string, i: number): Promise<number | string> {
  return new Promise((ok) => {
    const body = `request ${i}`;
    const req = http.request({ host: '127.0.0.1', port: P.out, path, method: 'POST', agent, headers: { 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok(res.statusCode === 200 ? 200 : `${res.statusCode} ${text}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => ok(e.code ?? e.message));
    req.end(body);
  });
}

/** `total` POSTs, `concurrency` at a time, while `during` runs; the outcomes that were not 200. */
async function load(path: string, total: number, concurrency: number, during: () => Promise<void>): Promise<(number | string)[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: (number | string)[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const r = await post(agent, path, next++);
      if (r !== 200) failures.push(r);
    }
  };
  await Promise.all([...Array.from({ length: concurrency }, worker), during()]);
  agent.destroy();
  return failures;
}

const flips = async () => {
  for (const filters of [[ALLOW_ANY], [], [ALLOW_ANY], []]) {
    await new Promise((r) => setTimeout(r, 150));
    await server.apply(serverSrc.set('listener', inbound(filters)).snapshot());
  }
};

describe('the client proxy pools follow the server drains', () => {
  it('HTTP/1.1 upstream: 600 POSTs across four chain changes, none fails', async () => {
    const drained = server.listeners.chains.drained;
    const failures = await load('/', 600, 12, flips);
    expect(failures).toEqual([]);
    // The changes did drain the pooled connections.
    expect(server.listeners.chains.drained).toBeGreaterThan(drained);
  });

  // The server's GOAWAY carries its real last stream id: streams it accepted finish, the ones it never processed come back
  // refused and are sent again on a new session (POSTs too: they never reached the app). chain-drain-h2.spec.ts: mTLS h2.
  it('HTTP/2 upstream: 600 POSTs across four chain changes, none fails', async () => {
    const drained = server.listeners.chains.drained;
    const failures = await load('/h2', 600, 12, flips);
    expect(failures).toEqual([]);
    expect(server.listeners.chains.drained).toBeGreaterThan(drained);
  });
});
