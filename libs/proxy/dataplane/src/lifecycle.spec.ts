import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

let a: Upstream;
let b: Upstream;
beforeAll(async () => {
  [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

function config(port: number, to: 'a' | 'b' | 'split'): FakeConfigSource {
  const src = new FakeConfigSource();
  if (to !== 'b') src.set('cluster', staticCluster('a', [a.port]));
  if (to !== 'a') src.set('cluster', staticCluster('b', [b.port]));
  const action = to === 'split' ? { weightedClusters: { clusters: [{ name: 'a', weight: { value: 50 } }, { name: 'b', weight: { value: 50 } }] } } : { cluster: to };
  return src.set('route', routeConfig('r', [vhost(['*'], [route('/', action)])])).set('listener', httpListener('l', port, { rds: 'r' }));
}

describe('configuration swaps', () => {
  let dp: Dataplane;
  afterAll(() => dp?.close());

  it('swaps routes and clusters under load without failing a request; in-flight requests finish on the old config', async () => {
    const [port] = (await freePorts(1)) as [number];
    dp = testDataplane();
    await dp.apply(config(port, 'a').snapshot());
    // A slow request on cluster a, which the next configurations remove.
    const slow = request(port, '/slow', { headers: { 'x-echo-delay-ms': '600' } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let stop = false;
    const results: number[] = [];
    const seen = new Set<string>();
    const loops = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const r = await request(port, '/', { agent });
        results.push(r.status);
        seen.add(String(r.headers['x-upstream']));
      }
    });
    const order: ('a' | 'b' | 'split')[] = ['split', 'b', 'split', 'a', 'b', 'split', 'b'];
    for (const to of order) {
      await new Promise((r) => setTimeout(r, 120));
      await dp.apply(config(port, to).snapshot());
    }
    await new Promise((r) => setTimeout(r, 120));
    stop = true;
    await Promise.all(loops);
    agent.destroy();
    expect(results.length).toBeGreaterThan(200);
    expect(results.filter((s) => s !== 200)).toEqual([]);
    expect(seen).toEqual(new Set(['a', 'b']));
    const s = await slow;
    expect(s.status).toBe(200);
    expect(s.headers['x-upstream']).toBe('a');
  });
});

describe('drain', () => {
  it('stops accepting, lets in-flight requests finish with connection: close, then closes', async () => {
    const [port] = (await freePorts(1)) as [number];
    const dp = testDataplane();
    await dp.apply(config(port, 'a').snapshot());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await request(port, '/warm', { agent });
    const inflight = request(port, '/slow', { agent, headers: { 'x-echo-delay-ms': '300' } });
    await new Promise((r) => setTimeout(r, 50));
    const drained = dp.drain(3_000);
    await new Promise((r) => setTimeout(r, 20));
    await expect(request(port, '/new')).rejects.toThrow(/ECONNREFUSED/);
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.headers.connection).toBe('close');
    const t0 = Date.now();
    await drained;
    expect(Date.now() - t0).toBeLessThan(2_000);
    agent.destroy();
  });
});
