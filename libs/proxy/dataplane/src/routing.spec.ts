import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

let dp: Dataplane;
let a: Upstream;
let b: Upstream;
let port: number;
let proxyPort: number;

beforeAll(async () => {
  a = await startUpstream('a');
  b = await startUpstream('b');
  [port, proxyPort] = (await freePorts(2)) as [number, number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('outbound|80||a.default.svc.cluster.local', [a.port]), staticCluster('outbound|80||b.default.svc.cluster.local', [b.port]))
    .set(
      'route',
      routeConfig(
        'r',
        [
          vhost(
            ['svc'],
            [
              route('/split', { weightedClusters: { clusters: [{ name: 'outbound|80||a.default.svc.cluster.local', weight: { value: 75 } }, { name: 'outbound|80||b.default.svc.cluster.local', weight: { value: 25 } }] } }),
              route('/rewrite/', { cluster: 'outbound|80||a.default.svc.cluster.local', prefixRewrite: '/v2/', hostRewriteLiteral: 'a.internal' }),
              { match: { safeRegex: { regex: '/items/([0-9]+)/detail' } }, route: { cluster: 'outbound|80||a.default.svc.cluster.local', regexRewrite: { pattern: { regex: '^/items/([0-9]+)/detail$' }, substitution: '/detail?id=\\1' } } },
              { match: { prefix: '/old' }, redirect: { pathRedirect: '/new', responseCode: 'FOUND' } },
              { match: { prefix: '/https' }, redirect: { httpsRedirect: true } },
              { match: { prefix: '/direct' }, directResponse: { status: 418, body: { inlineString: 'teapot' } } },
              route('/headers', { cluster: 'outbound|80||b.default.svc.cluster.local' }, {
                requestHeadersToAdd: [{ header: { key: 'x-added', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
                requestHeadersToRemove: ['x-secret'],
                responseHeadersToAdd: [{ header: { key: 'x-route', value: 'headers' } }],
                responseHeadersToRemove: ['x-upstream'],
              }),
              route('/missing-cluster', { cluster: 'nope' }),
              route('/', { cluster: 'outbound|80||a.default.svc.cluster.local' }),
            ],
            { requestHeadersToAdd: [{ header: { key: 'x-vhost', value: 'svc' } }] },
          ),
        ],
        { responseHeadersToAdd: [{ header: { key: 'x-rc', value: 'r' } }] },
      ),
      routeConfig('9080', [vhost(['reviews', 'reviews:9080'], [route('/', { cluster: 'outbound|80||b.default.svc.cluster.local' })])]),
    )
    .set('listener', httpListener('l', port, { rds: 'r' }));
  dp = testDataplane({ explicitOutboundPort: 15001, portMap: { 15001: proxyPort } });
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([a.close(), b.close()]);
});

describe('routing through a listener', () => {
  it('splits by weight within tolerance', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const n = 800;
    const res = await Promise.all(Array.from({ length: n }, () => request(port, '/split', { agent })));
    agent.destroy();
    const toA = res.filter((r) => r.headers['x-upstream'] === 'a').length;
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(toA / n).toBeGreaterThan(0.69);
    expect(toA / n).toBeLessThan(0.81);
  });

  it('rewrites the prefix and the host', async () => {
    const r = await request(port, '/rewrite/x?q=1');
    expect(r.json()).toMatchObject({ url: '/v2/x?q=1', headers: { host: 'a.internal', 'x-vhost': 'svc' } });
  });

  it('rewrites with a regex', async () => {
    const r = await request(port, '/items/42/detail');
    expect(r.json()).toMatchObject({ url: '/detail?id=42' });
  });

  it('redirects and answers directly', async () => {
    const r1 = await request(port, '/old/x?y=1');
    expect(r1.status).toBe(302);
    expect(r1.headers.location).toBe('http://svc/new?y=1');
    const r2 = await request(port, '/https/x');
    expect(r2.status).toBe(301);
    expect(r2.headers.location).toBe('https://svc/https/x');
    const r3 = await request(port, '/direct');
    expect(r3.status).toBe(418);
    expect(r3.body).toBe('teapot');
  });

  it('applies request and response header ops at route, virtual host and route configuration levels', async () => {
    const r = await request(port, '/headers', { headers: { 'x-secret': 's', 'x-added': 'old' } });
    const echoed = r.json<{ headers: Record<string, string> }>().headers;
    expect(echoed['x-secret']).toBeUndefined();
    expect(echoed['x-added']).toBe('127.0.0.1');
    expect(echoed['x-vhost']).toBe('svc');
    expect(echoed['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(echoed['x-forwarded-proto']).toBe('http');
    expect(r.headers['x-route']).toBe('headers');
    expect(r.headers['x-rc']).toBe('r');
    expect(r.headers['x-upstream']).toBeUndefined();
    expect(r.headers['x-envoy-upstream-service-time']).toMatch(/^\d+$/);
  });

  it('answers 404 for no route and 503 for a missing cluster', async () => {
    expect((await request(port, '/', { host: 'unknown' })).status).toBe(404);
    expect((await request(port, '/missing-cluster')).status).toBe(503);
  });

  it('keeps an HTTP/1.1 connection alive across requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/k${i}`, agent, headers: { host: 'svc' } }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
      });
    }
    agent.destroy();
    expect(sockets.size).toBe(1);
  });
});

describe('explicit outbound proxy', () => {
  it('routes an absolute-form request by the route configuration named after the target port', async () => {
    const r = await request(proxyPort, 'http://reviews:9080/reviews/0', { host: 'reviews:9080' });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ name: 'b', url: '/reviews/0', headers: { host: 'reviews:9080' } });
  });

  it('answers 404 when nothing knows the target port', async () => {
    const r = await request(proxyPort, 'http://nowhere:7777/x', { host: 'nowhere:7777' });
    expect(r.status).toBe(404);
  });
});
