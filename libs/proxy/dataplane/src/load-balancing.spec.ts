import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { Host } from './host';
import { createLoadBalancer } from './load-balancer';
import { FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

describe('load balancers', () => {
  const hosts = [new Host('10.0.0.1', 80), new Host('10.0.0.2', 80), new Host('10.0.0.3', 80, { weight: 2 })];

  it('weighted round robin follows weights exactly', () => {
    const lb = createLoadBalancer('ROUND_ROBIN', { choiceCount: 2, minRingSize: 1024, maxRingSize: 8192 });
    lb.refresh(hosts);
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const h = lb.pick(undefined, undefined)!;
      counts.set(h.address, (counts.get(h.address) ?? 0) + 1);
    }
    expect([...counts.values()].sort()).toEqual([100, 100, 200]);
  });

  it('least request prefers idle hosts', () => {
    const lb = createLoadBalancer('LEAST_REQUEST', { choiceCount: 2, minRingSize: 1024, maxRingSize: 8192 });
    const hs = [new Host('10.0.0.1', 80), new Host('10.0.0.2', 80)];
    hs[0]!.activeRequests = 50;
    lb.refresh(hs);
    let toBusy = 0;
    for (let i = 0; i < 1000; i++) if (lb.pick(undefined, undefined) === hs[0]) toBusy++;
    expect(toBusy).toBeLessThan(300);
  });

  it('ring hash moves only the keys of a removed host', () => {
    const lb = createLoadBalancer('RING_HASH', { choiceCount: 2, minRingSize: 1024, maxRingSize: 8192 });
    lb.refresh(hosts);
    const before = new Map<number, Host>();
    for (let k = 0; k < 1000; k++) before.set(k * 2654435761, lb.pick((k * 2654435761) >>> 0, undefined)!);
    lb.refresh(hosts.slice(0, 2));
    let moved = 0;
    for (const [k, h] of before) {
      const now = lb.pick(k >>> 0, undefined)!;
      if (h !== hosts[2] && now !== h) moved++;
    }
    expect(moved).toBe(0);
  });
});

describe('consistent hashing through the proxy', () => {
  let dp: Dataplane;
  let ups: Upstream[];
  let port: number;
  beforeAll(async () => {
    ups = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((n) => startUpstream(n)));
    [port] = (await freePorts(1)) as [number];
    const src = new FakeConfigSource()
      .set('cluster', staticCluster('c', ups.map((u) => u.port), { lbPolicy: 'RING_HASH' }))
      .set(
        'route',
        routeConfig('r', [
          vhost(
            ['*'],
            [
              route('/header', { cluster: 'c', hashPolicy: [{ header: { headerName: 'x-user' } }] }),
              route('/cookie', { cluster: 'c', hashPolicy: [{ cookie: { name: 'session', ttl: { seconds: 60 }, path: '/' } }] }),
              route('/ip', { cluster: 'c', hashPolicy: [{ connectionProperties: { sourceIp: true } }] }),
            ],
          ),
        ]),
      )
      .set('listener', httpListener('l', port, { rds: 'r' }));
    dp = testDataplane();
    await dp.apply(src.snapshot());
  });
  afterAll(async () => {
    dp.close();
    await Promise.all(ups.map((u) => u.close()));
  });

  it('keeps each header value on one upstream and spreads different values', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const where = new Map<string, Set<string>>();
    for (let user = 0; user < 40; user++) {
      for (let i = 0; i < 5; i++) {
        const r = await request(port, '/header', { agent, headers: { 'x-user': `user-${user}` } });
        const set = where.get(`user-${user}`) ?? new Set();
        set.add(String(r.headers['x-upstream']));
        where.set(`user-${user}`, set);
      }
    }
    agent.destroy();
    expect([...where.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...where.values()].map((s) => [...s][0])).size).toBeGreaterThanOrEqual(3);
  });

  it('sets a hash cookie when missing and sticks to it', async () => {
    const first = await request(port, '/cookie');
    const cookie = String(first.headers['set-cookie']?.[0] ?? '');
    expect(cookie).toMatch(/^session="[0-9a-f]+"; Max-Age=60; Path=\/; HttpOnly$/);
    const value = cookie.slice(0, cookie.indexOf(';'));
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) names.add(String((await request(port, '/cookie', { headers: { cookie: value } })).headers['x-upstream']));
    expect(names.size).toBe(1);
  });

  it('sticks to the source IP', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) names.add(String((await request(port, '/ip')).headers['x-upstream']));
    expect(names.size).toBe(1);
  });
});
