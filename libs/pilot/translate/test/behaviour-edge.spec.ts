// Behaviour at the edges: gateways, ServiceEntries, Sidecar scoping,
// delegates, proxyless gRPC, locality and DestinationRule policies.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/simulation';
import { grpcClient, router, sidecar } from './fixtures';
import { FQDN, http, mesh, spread } from './sim-helpers';

describe('ingress gateway with TLS', () => {
  const m = mesh(['gateway-tls.yaml']);
  const gw = m.config(router());

  it('redirects plain HTTP for bookinfo.example.com to HTTPS (httpsRedirect)', () => {
    expect(simulate(gw, { port: 8080, host: 'bookinfo.example.com', path: '/productpage' })).toMatchObject({ routeConfig: 'http.8080', redirect: { schemeRedirect: 'https' } });
  });

  it('serves hello.example.com over plain HTTP from a wildcard VirtualService', () => {
    expect(simulate(gw, { port: 8080, host: 'hello.example.com:8080', path: '/hello' })).toMatchObject({ cluster: `outbound|5000||${FQDN('helloworld')}` });
    expect(simulate(gw, { port: 8080, host: 'nobody.example.com', path: '/hello' }).error).toBe('no-virtual-host');
  });

  it('terminates TLS on 8443 by SNI with the credential from SDS and routes /productpage', () => {
    const r = simulate(gw, { port: 8443, host: 'bookinfo.example.com', sni: 'bookinfo.example.com', tls: true, path: '/productpage' });
    expect(r).toMatchObject({ filterChain: 'https.8443.https.bookinfo-gateway.default', cluster: `outbound|9080||${FQDN('productpage')}` });
    expect(simulate(gw, { port: 8443, host: 'bookinfo.example.com', sni: 'bookinfo.example.com', tls: true, path: '/admin' }).error).toBe('no-route');
    const chain = gw.listeners.find((l) => l.name === '0.0.0.0_8443')!.filterChains![0]!;
    expect(JSON.stringify(chain.transportSocket)).toContain('kubernetes://bookinfo-credential');
    expect(JSON.stringify(chain.transportSocket)).toContain('"tlsMinimumProtocolVersion":"TLSv1_2"');
  });

  it('requires client certificates on the MUTUAL server', () => {
    const chain = gw.listeners.find((l) => l.name === '0.0.0.0_9443')!.filterChains![0]!;
    expect((chain.transportSocket as { typedConfig: Record<string, unknown> }).typedConfig['requireClientCertificate']).toEqual({ value: true });
    expect(gw.secrets).toContain('kubernetes://httpbin-credential-cacert');
  });

  it('passes TLS through by SNI and forwards TCP', () => {
    expect(simulate(gw, { port: 8444, protocol: 'tls', sni: 'nginx.example.com' }).cluster).toBe(`outbound|8000||${FQDN('httpbin')}`);
    expect(simulate(gw, { port: 31400, protocol: 'tcp' }).cluster).toBe(`outbound|9000||${FQDN('tcp-echo')}`);
  });
});

describe('delegate VirtualServices at the gateway', () => {
  const m = mesh(['delegate.yaml']);
  const gw = m.config(router());
  const req = (path: string, headers: Record<string, string> = {}) => simulate(gw, { port: 80, host: 'bookinfo.example.com', path, headers });

  it('jason under /reviews/v2 goes to reviews v2 with the root route timeout', () => {
    expect(req('/reviews/v2/1', { 'end-user': 'jason' })).toMatchObject({ subset: 'v2', host: FQDN('reviews'), timeoutMs: 2000 });
  });

  it('other /reviews requests go to v1; the delegate route outside /reviews is dropped; / goes to productpage', () => {
    expect(req('/reviews/v2/1').subset).toBe('v1');
    expect(req('/reviews/other').subset).toBe('v1');
    expect(req('/other').cluster).toBe(`outbound|9080||${FQDN('productpage')}`);
  });
});

describe('ServiceEntries for external and VM services', () => {
  const m = mesh(['service-entry.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));

  it('httpbin.org: a DNS cluster with a 3 s timeout', () => {
    expect(http(pp, 'httpbin.org', 80)).toMatchObject({ cluster: 'outbound|80||httpbin.org', timeoutMs: 3000 });
    const c = pp.clusters.find((x) => x.name === 'outbound|80||httpbin.org')!;
    expect(c).toMatchObject({ type: 'STRICT_DNS', loadAssignment: { endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: 'httpbin.org', portValue: 80 } } } }] }] } });
    expect(c['transportSocketMatches']).toBeUndefined();
  });

  it('api.example.com:80 originates TLS to port 443 (SIMPLE, SNI = host)', () => {
    const c = pp.clusters.find((x) => x.name === 'outbound|80||api.example.com')!;
    expect(JSON.stringify(c['transportSocket'])).toContain('"sni":"api.example.com"');
    expect(JSON.stringify(c['loadAssignment'])).toContain('"portValue":443');
  });

  it('TLS on 443 is routed by SNI; unknown SNI (a wildcard NONE entry) passes through', () => {
    expect(simulate(pp, { port: 443, protocol: 'tls', sni: 'api.example.com' }).cluster).toBe('outbound|443||api.example.com');
    expect(simulate(pp, { port: 443, protocol: 'tls', sni: 'en.wikipedia.org' }).cluster).toBe('PassthroughCluster');
  });

  it('a STATIC mesh-internal entry: TCP on its address, weighted endpoints by locality', () => {
    expect(simulate(pp, { port: 5432, protocol: 'tcp', address: '192.168.50.10' }).cluster).toBe('outbound|5432||db.vm.internal');
    const cla = pp.endpoints.find((e) => e.clusterName === 'outbound|5432||db.vm.internal')!;
    expect(cla.endpoints.map((l) => [l.locality, l.loadBalancingWeight.value])).toEqual([
      [{ region: 'eu', zone: 'west', subZone: '1' }, 1],
      [{ region: 'eu', zone: 'west', subZone: '2' }, 3],
    ]);
  });
});

describe('Sidecar egress scoping', () => {
  const m = mesh(['sidecar-egress.yaml']);
  const pp = m.config(sidecar(m.push, '10.10.0.1'));
  const sleep = m.config(sidecar(m.push, '10.20.0.1'));

  it('default namespace workloads see only their namespace; others are blocked (REGISTRY_ONLY)', () => {
    expect(http(pp, 'reviews', 9080).cluster).toBe(`outbound|9080||${FQDN('reviews')}`);
    expect(http(pp, 'legacy.other', 9080)).toMatchObject({ virtualHost: 'block_all', directResponse: { status: 502 } });
    expect(http(pp, 'sleep.other', 80)).toMatchObject({ listener: 'virtualOutbound', cluster: 'BlackHoleCluster' });
    expect(pp.clusters.some((c) => c.name.includes('.other.'))).toBe(false);
    expect(simulate(pp, { port: 7777, address: '203.0.113.9', protocol: 'tcp' }).cluster).toBe('BlackHoleCluster');
  });

  it('the other namespace keeps the default scope and its own VirtualService', () => {
    expect(http(sleep, 'legacy', 8080)).toMatchObject({ cluster: `outbound|8080||${FQDN('legacy', 'other')}`, timeoutMs: 1000 });
    expect(http(sleep, 'reviews.default', 9080).cluster).toBe(`outbound|9080||${FQDN('reviews')}`);
    expect(http(sleep, 'www.example.com', 80).cluster).toBe('PassthroughCluster');
  });
});

describe('proxyless gRPC', () => {
  const m = mesh(['proxyless-grpc.yaml']);
  const cfg = m.config(grpcClient());
  const target = `${FQDN('greeter')}:50051`;

  it('serves the listener a xds:/// target asks for, and its short aliases', () => {
    const names = cfg.listeners.map((l) => l.name);
    expect(names).toContain(target);
    expect(names).toContain('greeter:50051');
    expect(names).toContain('greeter.default:50051');
    expect(cfg.listeners.every((l) => l.apiListener && !l.address)).toBe(true);
  });

  it('splits SayHello 70/30 with a 2 s deadline, retries on UNAVAILABLE and a 0.1 % fault', () => {
    const r = simulate(cfg, { port: 50051, grpcTarget: target, path: '/helloworld.Greeter/SayHello' });
    expect(r.weighted?.map((w) => [w.cluster, w.percent])).toEqual([
      [`outbound|50051|v1|${FQDN('greeter')}`, 70],
      [`outbound|50051|v2|${FQDN('greeter')}`, 30],
    ]);
    expect(Math.abs(spread(r)[`outbound|50051|v1|${FQDN('greeter')}`]! - 70)).toBeLessThanOrEqual(2);
    expect(r.timeoutMs).toBe(2000);
    expect(r.retry).toMatchObject({ attempts: 3, retryOn: 'unavailable,cancelled' });
    expect(r.fault).toEqual({ abortGrpcStatus: 14, abortPercent: 0.1 });
    expect(r.hashPolicy).toEqual([{ header: { headerName: 'x-session' } }]);
  });

  it('canary header goes to v2; through an alias listener too', () => {
    expect(simulate(cfg, { port: 50051, grpcTarget: 'greeter:50051', path: '/x.Y/Z', headers: { 'x-canary': 'true' } }).subset).toBe('v2');
  });

  it('uses only what grpc-js supports: RING_HASH/ROUND_ROBIN, no transport socket matches, fault+router filters', () => {
    const lb = Object.fromEntries(cfg.clusters.filter((c) => c.name.includes('greeter')).map((c) => [c.name.split('|')[2] || 'all', c.lbPolicy]));
    expect(lb).toEqual({ all: 'RING_HASH', v1: 'RING_HASH', v2: 'ROUND_ROBIN' });
    expect(cfg.clusters.every((c) => c['transportSocketMatches'] === undefined && c.type !== 'STATIC' && c.type !== 'ORIGINAL_DST')).toBe(true);
    const hcm = cfg.listeners[0]!.apiListener!.apiListener;
    expect((hcm['httpFilters'] as { name: string }[]).map((f) => f.name)).toEqual(['envoy.filters.http.fault', 'envoy.filters.http.router']);
  });
});

describe('locality load balancing', () => {
  const m = mesh(['locality.yaml']);
  const cfg = m.config(sidecar(m.push, '10.10.0.1', { locality: 'us-east/zone-a/' }));

  it('prefers the proxy zone, then its region, then the failover region', () => {
    const cla = cfg.endpoints.find((e) => e.clusterName === `outbound|9080||${FQDN('reviews')}`)!;
    expect(cla.endpoints.map((l) => [l.locality.zone, l.priority ?? 0, l.lbEndpoints[0]!.endpoint.address.socketAddress.address])).toEqual([
      ['zone-a', 0, '10.10.2.1'],
      ['zone-b', 1, '10.10.2.2'],
      ['zone-c', 2, '10.10.2.3'],
    ]);
  });
});

describe('DestinationRule policies (circuit breaking)', () => {
  const m = mesh(['circuit-breaker.yaml']);
  const cfg = m.config(sidecar(m.push, '10.10.0.1'));
  const cluster = (n: string) => cfg.clusters.find((c) => c.name === n)!;

  it('httpbin: one connection, one pending request, outlier ejection after one 5xx', () => {
    const c = cluster(`outbound|8000||${FQDN('httpbin')}`);
    expect(c['circuitBreakers']).toEqual({ thresholds: [{ maxConnections: { value: 1 }, maxPendingRequests: { value: 1 }, maxRequests: { value: 100 }, maxRetries: { value: 3 }, trackRemaining: true }] });
    expect(c['outlierDetection']).toMatchObject({ consecutive_5xx: { value: 1 }, enforcingConsecutive_5xx: { value: 100 }, interval: { seconds: '1', nanos: 0 }, baseEjectionTime: { seconds: '180', nanos: 0 }, maxEjectionPercent: { value: 100 } });
    expect(c).toMatchObject({ lbPolicy: 'ROUND_ROBIN', connectTimeout: { seconds: '0', nanos: 250_000_000 }, commonLbConfig: { healthyPanicThreshold: { value: 25 } } });
    expect(JSON.stringify(c['transportSocket'])).toContain('"sni":"outbound_.8000_._.httpbin.default.svc.cluster.local"');
  });

  it('subset policy overrides only its own fields (v1: RANDOM, same pool)', () => {
    const v1 = cluster(`outbound|8000|v1|${FQDN('httpbin')}`);
    expect(v1.lbPolicy).toBe('RANDOM');
    expect(v1['circuitBreakers']).toEqual(cluster(`outbound|8000||${FQDN('httpbin')}`)['circuitBreakers']);
  });

  it('consistent hashing: RING_HASH clusters and hash policies on the routes', () => {
    expect(cluster(`outbound|9080||${FQDN('reviews')}`).lbPolicy).toBe('RING_HASH');
    expect(http(cfg, 'reviews', 9080).hashPolicy).toEqual([{ cookie: { name: 'user', path: '/', ttl: { seconds: '0', nanos: 0 } } }]);
    expect(http(cfg, 'reviews', 9080).retry?.attempts).toBe(2);
  });

  it('port-level settings win over the rule: ratings:9080 is LEAST_REQUEST without TLS', () => {
    const c = cluster(`outbound|9080||${FQDN('ratings')}`);
    expect(c.lbPolicy).toBe('LEAST_REQUEST');
    expect(c['transportSocket']).toBeUndefined();
    expect(c['transportSocketMatches']).toBeUndefined();
  });

  it('MUTUAL with files and SIMPLE with a credentialName', () => {
    expect(JSON.stringify(cluster(`outbound|9080||${FQDN('details')}`)['transportSocket'])).toContain('/etc/certs/cert-chain.pem');
    expect(cfg.secrets).toContain('kubernetes://greeter-ca-cacert');
  });
});
