import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { cla, edsCluster, FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

let dp: Dataplane;
let a: Upstream;
let b: Upstream;
let c: Upstream;
let port: number;
let deadPort: number;
const src = new FakeConfigSource();
let ids = 0;
const id = () => `req-${++ids}`;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
  [port, deadPort] = (await freePorts(2)) as [number, number];
  src
    .set(
      'cluster',
      staticCluster('single', [a.port]),
      staticCluster('dead', [deadPort]),
      staticCluster('dead-then-live', [deadPort, a.port], { lbPolicy: 'ROUND_ROBIN' }),
      staticCluster('limited', [c.port], { circuitBreakers: { thresholds: [{ maxConnections: { value: 1 }, maxPendingRequests: { value: 1 }, maxRequests: { value: 100 } }] } }),
      edsCluster('outlier', {
        outlierDetection: { consecutive_5xx: { value: 3 }, interval: { nanos: 50_000_000 }, baseEjectionTime: { nanos: 400_000_000 }, maxEjectionPercent: { value: 50 } },
        commonLbConfig: { healthyPanicThreshold: { value: 0 } },
      }),
    )
    .set('endpoint', cla('outlier', [a.port, b.port]))
    .set(
      'route',
      routeConfig('r', [
        vhost(
          ['svc'],
          [
            route('/retry-codes', { cluster: 'single', retryPolicy: { retryOn: 'retriable-status-codes', retriableStatusCodes: [503], numRetries: { value: 1 }, retryBackOff: { baseInterval: { nanos: 1_000_000 } } } }),
            route('/retry', { cluster: 'single', retryPolicy: { retryOn: '5xx', numRetries: { value: 3 }, retryBackOff: { baseInterval: { nanos: 1_000_000 } } } }),
            route('/timeout', { cluster: 'single', timeout: { nanos: 200_000_000 } }),
            route('/per-try', { cluster: 'single', timeout: { seconds: 5 }, retryPolicy: { retryOn: '5xx', numRetries: { value: 2 }, perTryTimeout: { nanos: 150_000_000 }, retryBackOff: { baseInterval: { nanos: 1_000_000 } } } }),
            route('/default', { cluster: 'single' }),
            route('/dead', { cluster: 'dead' }),
            route('/failover', { cluster: 'dead-then-live' }),
            route('/limited', { cluster: 'limited' }),
            route('/outlier', { cluster: 'outlier' }),
          ],
        ),
      ]),
    )
    .set('listener', httpListener('l', port, { rds: 'r' }));
  dp = testDataplane({ retryBudget: { ratio: 0.2, minPerSecond: 0.5 }, accessLog: { mode: 'off' } });
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([a.close(), b.close(), c.close()]);
});

const stats = (name: string) => dp.active().clusters.get(name)!.stats;

describe('retries', () => {
  it('retries 5xx answers per the route policy until one succeeds', async () => {
    const rid = id();
    const r = await request(port, '/retry', { headers: { 'x-echo-id': rid, 'x-echo-fail-first': '2' } });
    expect(r.status).toBe(200);
    expect(a.seen.get(rid)).toBe(3);
  });

  it('gives up after num_retries with the last answer', async () => {
    const rid = id();
    const r = await request(port, '/retry-codes', { headers: { 'x-echo-id': rid, 'x-echo-fail-first': '5' } });
    expect(r.status).toBe(503);
    expect(a.seen.get(rid)).toBe(2);
  });

  it('runs a POST whose handler answered 503 exactly once by default', async () => {
    const rid = id();
    const r = await request(port, '/default', { method: 'POST', body: 'side effect', headers: { 'x-echo-id': rid, 'x-echo-fail-first': '1' } });
    expect(r.status).toBe(503);
    expect(a.seen.get(rid)).toBe(1);
  });

  it('retries connect failures by default, on another host, for any method', async () => {
    const r = await request(port, '/failover', { method: 'POST', body: 'x' });
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('a');
  });

  it('answers 503 with UF and URX when every attempt fails to connect', async () => {
    const r = await request(port, '/dead');
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/upstream connect error or disconnect\/reset before headers/);
    expect(stats('dead').upstream_cx_connect_fail).toBeGreaterThanOrEqual(3);
    expect(dp.metrics.render()).toMatch(/istio_requests_total\{[^}]*destination_service="unknown"[^}]*response_code="503"[^}]*response_flags="UF,URX"\}/);
  });

  it('keeps default retries within the budget (20 % of requests plus a few per second)', async () => {
    const s = stats('dead');
    const before = s.upstream_rq_retry_overflow;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    await Promise.all(Array.from({ length: 30 }, () => request(port, '/dead', { agent })));
    agent.destroy();
    // 30 requests deposit 6 retries plus a small floor; 60 retries were wanted.
    expect(s.upstream_rq_retry_overflow - before).toBeGreaterThan(20);
  });
});

describe('timeouts', () => {
  it('answers 504 when the route timeout passes', async () => {
    const t0 = Date.now();
    const r = await request(port, '/timeout', { headers: { 'x-echo-delay-ms': '1000' } });
    expect(r.status).toBe(504);
    expect(r.body).toBe('upstream request timeout');
    expect(Date.now() - t0).toBeLessThan(900);
  });

  it('retries after a per-try timeout', async () => {
    const rid = id();
    // The first attempt is slow (delay applies to every attempt, so use fail-first on a fast path instead).
    const r = await request(port, '/per-try', { headers: { 'x-echo-delay-ms': '400', 'x-echo-id': rid } });
    expect(r.status).toBe(504);
    expect(a.seen.get(rid)).toBe(3);
    expect(stats('single').upstream_rq_per_try_timeout).toBeGreaterThanOrEqual(3);
  });
});

describe('circuit breaking', () => {
  it('answers 503 with response flag UO once connections and the pending queue are full', async () => {
    const agent = new http.Agent({ keepAlive: false });
    const res = await Promise.all(Array.from({ length: 6 }, () => request(port, '/limited', { agent, headers: { 'x-echo-delay-ms': '200' } })));
    const codes = res.map((r) => r.status).sort();
    expect(codes.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(codes.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    const overflow = res.find((r) => r.status === 503)!;
    expect(overflow.body).toMatch(/overflow/);
    expect(stats('limited').upstream_rq_pending_overflow).toBeGreaterThanOrEqual(1);
    const prom = dp.metrics.render();
    expect(prom).toMatch(/istio_requests_total\{[^}]*response_code="503"[^}]*response_flags="UO"\}/);
  });
});

describe('outlier detection', () => {
  it('ejects a host after consecutive 5xx and brings it back after the ejection time', async () => {
    // Host a answers 500 for this id; b is fine. After 3 consecutive 5xx, a is ejected.
    const rid = id();
    for (let i = 0; i < 12; i++) await request(port, '/outlier', { headers: { 'x-echo-id': `${rid}-${i}`, 'x-echo-status': '500' } });
    const rt = dp.active().clusters.get('outlier')!;
    expect(rt.stats.ejectionsTotal).toBeGreaterThanOrEqual(1);
    const ejected = rt.hosts.filter((h) => h.ejected);
    expect(ejected.length).toBe(1);
    // While ejected, everything goes to the other host.
    const other = rt.hosts.find((h) => !h.ejected)!;
    const res = await Promise.all(Array.from({ length: 10 }, () => request(port, '/outlier')));
    expect(new Set(res.map((r) => r.headers['x-upstream']))).toEqual(new Set([other.port === a.port ? 'a' : 'b']));
    await new Promise((r) => setTimeout(r, 600));
    expect(rt.hosts.every((h) => !h.ejected)).toBe(true);
  });
});
