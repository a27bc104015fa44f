// Behaviour (after Istio's pilot/pkg/simulation): YAML in, a simulated
// request through the generated listeners and routes, the outcome a user
// would observe asserted.
import { describe, expect, it } from 'vitest';
import { sidecar } from './fixtures';
import { FQDN, http, mesh, spread } from './sim-helpers';

describe('request routing (bookinfo)', () => {
  const m = mesh(['bookinfo-routing.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));

  it('jason goes to reviews v2, everyone else to v1', () => {
    expect(http(pp, 'reviews', 9080, { headers: { 'end-user': 'jason' } })).toMatchObject({ host: FQDN('reviews'), subset: 'v2', route: 'jason' });
    expect(http(pp, 'reviews', 9080, { headers: { 'end-user': 'mary' } })).toMatchObject({ subset: 'v1', route: 'everyone-else' });
    expect(http(pp, 'reviews', 9080).subset).toBe('v1');
  });

  it('every Istio host form reaches the same virtual host: short, name.ns, name.ns.svc, FQDN, VIP, with or without port', () => {
    const vip = m.push.service(FQDN('reviews'))!.addresses[0]!;
    for (const host of ['reviews', 'reviews:9080', 'reviews.default', 'reviews.default.svc:9080', `${FQDN('reviews')}:9080`, FQDN('reviews'), vip, `${vip}:9080`]) {
      expect(pp.routes.length).toBeGreaterThan(0);
      const r = http(pp, 'x', 9080, { host, headers: { 'end-user': 'jason' } });
      expect(r.virtualHost, host).toBe(`${FQDN('reviews')}:9080`);
      expect(r.subset).toBe('v2');
    }
  });

  it('ratings and details go to v1; a service without a VirtualService gets the default route with Istio retries', () => {
    expect(http(pp, 'ratings', 9080).subset).toBe('v1');
    expect(http(pp, 'details', 9080).subset).toBe('v1');
    const httpbin = http(pp, 'httpbin', 8000);
    expect(httpbin).toMatchObject({ cluster: `outbound|8000||${FQDN('httpbin')}`, route: 'default', timeoutMs: 0 });
    expect(httpbin.retry).toEqual({ attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes' });
  });

  it('unknown hosts hit allow_any -> PassthroughCluster (HTTP) and virtualOutbound -> PassthroughCluster (TCP)', () => {
    expect(http(pp, 'www.example.com', 9080)).toMatchObject({ virtualHost: 'allow_any', cluster: 'PassthroughCluster' });
    expect(http(pp, 'www.example.com', 7777, { protocol: 'tcp', address: '203.0.113.9' })).toMatchObject({ listener: 'virtualOutbound', cluster: 'PassthroughCluster' });
  });

  it('routes the reviews subsets to EDS clusters whose endpoints are the labelled instances', () => {
    const ep = (c: string) => pp.endpoints.find((e) => e.clusterName === c)!.endpoints.flatMap((l) => l.lbEndpoints.map((x) => x.endpoint.address.socketAddress.address));
    expect(ep(`outbound|9080|v2|${FQDN('reviews')}`)).toEqual(['10.10.2.2']);
    expect(ep(`outbound|9080||${FQDN('reviews')}`)).toEqual(['10.10.2.1', '10.10.2.2', '10.10.2.3']);
  });
});

describe('traffic shifting', () => {
  const m = mesh(['traffic-shifting.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));

  it('splits reviews 50/50 between v1 and v3', () => {
    const r = http(pp, 'reviews', 9080);
    expect(r.weighted?.map((w) => [w.cluster, w.percent])).toEqual([
      [`outbound|9080|v1|${FQDN('reviews')}`, 50],
      [`outbound|9080|v3|${FQDN('reviews')}`, 50],
    ]);
    const s = spread(r);
    expect(s[`outbound|9080|v1|${FQDN('reviews')}`]).toBeGreaterThanOrEqual(48);
    expect(s[`outbound|9080|v3|${FQDN('reviews')}`]).toBeGreaterThanOrEqual(48);
  });

  it('splits details 80/20 and sets per-destination headers', () => {
    const r = http(pp, 'details', 9080);
    expect(r.weighted?.map((w) => w.percent)).toEqual([80, 20]);
    const s = spread(r);
    expect(Math.abs(s[`outbound|9080|v1|${FQDN('details')}`]! - 80)).toBeLessThanOrEqual(2);
    const vh = pp.routes.find((x) => x.name === '9080')!.virtualHosts.find((v) => v.name.startsWith('details'))!;
    expect(vh.routes[0]!.route!.weightedClusters!.clusters.map((c) => c.requestHeadersToAdd?.[0]?.header)).toEqual([
      { key: 'x-canary', value: 'false' },
      { key: 'x-canary', value: 'true' },
    ]);
  });
});

describe('fault injection', () => {
  const m = mesh(['fault-injection.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));

  it('delays jason by 7 s on every request', () => {
    expect(http(pp, 'ratings', 9080, { headers: { 'end-user': 'jason' } }).fault).toEqual({ delayMs: 7000, delayPercent: 100 });
  });

  it('aborts half of the other requests with HTTP 500', () => {
    expect(http(pp, 'ratings', 9080).fault).toEqual({ abortHttpStatus: 500, abortPercent: 50 });
  });

  it('aborts gRPC with UNAVAILABLE (14) at 10.5 %, and delays 1 %', () => {
    expect(http(pp, 'greeter', 50051, { path: '/helloworld.Greeter/SayHello' }).fault).toEqual({ abortGrpcStatus: 14, abortPercent: 10.5, delayMs: 250, delayPercent: 1 });
  });

  it('has the fault filter in the outbound HTTP connection manager, before the router', () => {
    const l = pp.listeners.find((x) => x.name === '0.0.0.0_9080')!;
    const names = (l.filterChains![0]!.filters.at(-1)!.typedConfig['httpFilters'] as { name: string }[]).map((f) => f.name);
    expect(names).toEqual(['envoy.filters.http.cors', 'envoy.filters.http.fault', 'envoy.filters.http.router']);
  });
});

describe('timeouts and retries', () => {
  const m = mesh(['timeouts-retries.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));

  it('reviews times out after 0.5 s', () => {
    expect(http(pp, 'reviews', 9080).timeoutMs).toBe(500);
  });

  it('ratings retries 3 times, 2 s per try, on gateway errors, connect failures and 503', () => {
    const r = http(pp, 'ratings', 9080);
    expect(r.retry).toEqual({ attempts: 3, retryOn: 'gateway-error,connect-failure,retriable-status-codes', perTryTimeoutMs: 2000, retriableStatusCodes: [503] });
    expect(r.timeoutMs).toBe(0);
  });

  it('details has retries disabled (attempts: 0)', () => {
    expect(http(pp, 'details', 9080).retry).toBeUndefined();
  });
});

describe('mirroring', () => {
  const m = mesh(['mirroring.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));

  it('sends httpbin to v1 and mirrors half of it to v2', () => {
    const r = http(pp, 'httpbin', 8000);
    expect(r.cluster).toBe(`outbound|8000|v1|${FQDN('httpbin')}`);
    expect(r.mirrors).toEqual([{ cluster: `outbound|8000|v2|${FQDN('httpbin')}`, percent: 50 }]);
  });

  it('mirrors helloworld to two destinations (25 % and 100 %)', () => {
    expect(http(pp, 'helloworld', 5000).mirrors).toEqual([
      { cluster: `outbound|5000|v2|${FQDN('helloworld')}`, percent: 25 },
      { cluster: `outbound|8000||${FQDN('httpbin')}`, percent: 100 },
    ]);
  });
});

describe('TCP traffic shifting', () => {
  const m = mesh(['tcp-shifting.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));
  const vip = m.push.service(FQDN('tcp-echo'))!.addresses[0]!;

  it('sends 80 % of tcp-echo connections to v1 and 20 % to v2 through the VIP listener', () => {
    const r = http(pp, 'tcp-echo', 9000, { protocol: 'tcp', address: vip });
    expect(r.listener).toBe(`${vip}_9000`);
    expect(r.weighted?.map((w) => [w.cluster, w.percent])).toEqual([
      [`outbound|9000|v1|${FQDN('tcp-echo')}`, 80],
      [`outbound|9000|v2|${FQDN('tcp-echo')}`, 20],
    ]);
  });
});
