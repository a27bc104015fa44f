import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { CORS_POLICY_TYPE, CORS_TYPE, FAULT_TYPE, FakeConfigSource, freePorts, httpListener, LRL_TYPE, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

let dp: Dataplane;
let a: Upstream;
let shadow: Upstream;
let port: number;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  [a, shadow] = await Promise.all([startUpstream('a'), startUpstream('shadow')]);
  [port] = (await freePorts(1)) as [number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('a', [a.port]), staticCluster('shadow', [shadow.port]))
    .set(
      'route',
      routeConfig('r', [
        vhost(
          ['svc'],
          [
            route('/delay', { cluster: 'a' }, { typedPerFilterConfig: { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, delay: { fixedDelay: { nanos: 300_000_000 }, percentage: { numerator: 100 } } } } }),
            route('/abort', { cluster: 'a' }, { typedPerFilterConfig: { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { httpStatus: 418, percentage: { numerator: 100 } } } } }),
            route('/half', { cluster: 'a' }, { typedPerFilterConfig: { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { httpStatus: 503, percentage: { numerator: 50 } } } } }),
            route('/cors', { cluster: 'a' }, {
              typedPerFilterConfig: { 'envoy.filters.http.cors': { '@type': CORS_POLICY_TYPE, allowOriginStringMatch: [{ exact: 'https://app.example' }], allowMethods: 'GET,POST', allowHeaders: 'x-custom', maxAge: '600', exposeHeaders: 'x-upstream' } },
            }),
            route('/limited', { cluster: 'a' }, {
              typedPerFilterConfig: {
                'envoy.filters.http.local_ratelimit': {
                  '@type': LRL_TYPE,
                  statPrefix: 'rl',
                  tokenBucket: { maxTokens: 3, tokensPerFill: { value: 3 }, fillInterval: { seconds: 60 } },
                  filterEnabled: { defaultValue: { numerator: 100 } },
                  filterEnforced: { defaultValue: { numerator: 100 } },
                },
              },
            }),
            route('/mirror', { cluster: 'a', requestMirrorPolicies: [{ cluster: 'shadow' }] }),
            route('/', { cluster: 'a' }),
          ],
        ),
      ]),
    )
    .set(
      'listener',
      httpListener(
        'l',
        port,
        { rds: 'r' },
        {
          filters: [
            { name: 'envoy.filters.http.fault', typedConfig: { '@type': FAULT_TYPE } },
            { name: 'envoy.filters.http.cors', typedConfig: { '@type': CORS_TYPE } },
            { name: 'envoy.filters.http.local_ratelimit', typedConfig: { '@type': LRL_TYPE, statPrefix: 'default' } },
          ],
        },
      ),
    );
  const logger = { info: (o: Record<string, unknown>) => lines.push(o) } as never;
  dp = testDataplane({ accessLog: { mode: 'on', logger } });
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([a.close(), shadow.close()]);
});

describe('fault injection', () => {
  it('delays requests (DI) and aborts them (FI)', async () => {
    const t0 = Date.now();
    const r = await request(port, '/delay');
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    const x = await request(port, '/abort');
    expect(x.status).toBe(418);
    expect(x.body).toBe('fault filter abort');
    await new Promise((res) => setImmediate(res));
    expect(lines.some((l) => l['path'] === '/delay' && l['response_flags'] === 'DI')).toBe(true);
    expect(lines.some((l) => l['path'] === '/abort' && l['response_flags'] === 'FI' && l['response_code'] === 418)).toBe(true);
  });

  it('aborts about the configured fraction', async () => {
    const res = await Promise.all(Array.from({ length: 400 }, () => request(port, '/half')));
    const aborted = res.filter((r) => r.status === 503).length;
    expect(aborted).toBeGreaterThan(140);
    expect(aborted).toBeLessThan(260);
  });
});

describe('CORS', () => {
  it('answers preflights for allowed origins and decorates actual responses', async () => {
    const pre = await request(port, '/cors', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers).toMatchObject({ 'access-control-allow-origin': 'https://app.example', 'access-control-allow-methods': 'GET,POST', 'access-control-allow-headers': 'x-custom', 'access-control-max-age': '600' });
    const actual = await request(port, '/cors', { headers: { origin: 'https://app.example' } });
    expect(actual.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(actual.headers['access-control-expose-headers']).toBe('x-upstream');
    const other = await request(port, '/cors', { headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('local rate limit', () => {
  it('answers 429 (RL) once the route bucket is empty', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await request(port, '/limited')).status);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect((await request(port, '/')).status).toBe(200);
  });
});

describe('mirroring', () => {
  it('sends a copy with a -shadow host and ignores its answer', async () => {
    const before = shadow.total;
    const r = await request(port, '/mirror', { method: 'POST', body: 'payload' });
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('a');
    for (let i = 0; i < 50 && shadow.total === before; i++) await new Promise((res) => setTimeout(res, 10));
    expect(shadow.total).toBe(before + 1);
  });
});

describe('access log', () => {
  it('writes Istio-style JSON fields', async () => {
    await request(port, '/', { headers: { 'user-agent': 'spec' } });
    await new Promise((res) => setImmediate(res));
    const e = lines.filter((l) => l['user_agent'] === 'spec').at(-1)!;
    expect(e).toMatchObject({ method: 'GET', path: '/', protocol: 'HTTP/1.1', response_code: 200, response_flags: '-', upstream_cluster: 'a', authority: 'svc' });
    expect(e['upstream_host']).toBe(`127.0.0.1:${a.port}`);
    expect(typeof e['duration']).toBe('number');
  });
});
