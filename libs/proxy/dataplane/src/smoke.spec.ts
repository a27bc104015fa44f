import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

let dp: Dataplane;
let up: Upstream;
let port: number;
beforeAll(async () => {
  up = await startUpstream('a');
  [port] = (await freePorts(1)) as [number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('c', [up.port]))
    .set('route', routeConfig('r', [vhost(['*'], [route('/', { cluster: 'c' })])]))
    .set('listener', httpListener('l', port, { rds: 'r' }));
  dp = testDataplane();
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await up.close();
});

describe('smoke', () => {
  it('proxies a GET and a POST', async () => {
    const r = await request(port, '/hello?x=1');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ name: 'a', url: '/hello?x=1', method: 'GET' });
    const p = await request(port, '/post', { method: 'POST', body: 'abc', headers: { 'content-type': 'text/plain' } });
    expect(p.json()).toMatchObject({ method: 'POST', body: 'abc' });
  });
});
