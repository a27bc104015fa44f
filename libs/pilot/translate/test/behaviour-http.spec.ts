// Behaviour of HTTP match types and route actions, source labels, inbound
// config, explicit (no iptables) mode and the cache key.
import { describe, expect, it } from 'vitest';
import { proxyConfigKey } from '../src/configgen';
import { simulate } from '../src/simulation';
import { sidecar } from './fixtures';
import { FQDN, http, mesh } from './sim-helpers';

describe('HTTP matches and actions', () => {
  const m = mesh(['http-features.yaml']);
  const cfg = m.config(sidecar(m.push, '10.10.2.1'));
  const pp = (req: Parameters<typeof http>[3]) => http(cfg, 'productpage', 9080, req);
  const api = { path: '/API/V1/items?format=json&debug=1', headers: { 'x-api-key': 'k', 'user-agent': 'Foo Mobile Safari' } };

  it('exact uri + method, with header operations', () => {
    const r = pp({ path: '/login', method: 'POST' });
    expect(r.route).toBe('exact-login');
    expect(r.requestHeadersToAdd).toEqual({ 'x-login': 'yes', 'x-trace': 'on' });
    expect(r.requestHeadersToRemove).toEqual(['x-debug']);
    expect(r.responseHeadersToAdd).toEqual({ 'cache-control': 'no-store' });
    expect(pp({ path: '/login', method: 'GET' }).route).toBe('browser');
  });

  it('prefix (ignoring case), header present/regex, withoutHeaders, query params -> rewrite prefix and authority', () => {
    expect(pp(api)).toMatchObject({ route: 'api', prefixRewrite: '/v2/', hostRewrite: 'api.internal', cluster: `outbound|9080||${FQDN('productpage')}` });
    expect(pp({ ...api, headers: { ...api.headers, 'x-internal': 'true' } }).route).toBe('browser');
    expect(pp({ ...api, headers: { 'user-agent': 'Foo Mobile' } }).route).toBe('browser');
    expect(pp({ ...api, path: '/api/v1/items?format=xml&debug=1' }).route).toBe('browser');
    expect(pp({ ...api, path: '/api/v1/items?format=json' }).route).toBe('browser');
  });

  it('regex uri + authority prefix -> regex rewrite', () => {
    expect(pp({ path: '/legacy/42' })).toMatchObject({ route: 'legacy', regexRewrite: { regex: '^/legacy/([0-9]+)$', substitution: '/items/\\1' } });
    expect(pp({ path: '/legacy/abc' }).route).toBe('browser');
  });

  it('redirect with code, scheme, authority and port', () => {
    expect(pp({ path: '/old/page' }).redirect).toEqual({ responseCode: 'FOUND', hostRedirect: 'newsite.example.com', pathRedirect: '/new', schemeRedirect: 'https', portRedirect: 8443 });
  });

  it('direct response on the matching port only', () => {
    expect(pp({ path: '/healthz' }).directResponse).toEqual({ status: 200, body: { inlineString: 'ok' } });
    expect(pp({ path: '/never' }).route).toBe('browser');
  });

  it('CORS policy and timeout on the catch-all route', () => {
    const r = pp({ path: '/anything' });
    expect(r.timeoutMs).toBe(10_000);
    expect(r.cors).toMatchObject({
      allowOriginStringMatch: [{ exact: 'https://example.com' }, { safeRegex: { regex: 'https://.*\\.example\\.org' } }],
      allowMethods: 'GET,POST',
      allowHeaders: 'x-custom',
      exposeHeaders: 'x-total',
      maxAge: '86400',
      allowCredentials: { value: true },
    });
  });
});

describe('source labels are applied at translation time', () => {
  const inline = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec: { host: reviews, subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }] }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
    - match: [{ sourceLabels: { app: productpage } }]
      route: [{ destination: { host: reviews, subset: v2 } }]
    - route: [{ destination: { host: reviews, subset: v1 } }]
`;
  const m = mesh([], inline);

  it('productpage goes to v2, ratings goes to v1', () => {
    expect(http(m.config(sidecar(m.push, '10.10.0.1')), 'reviews', 9080).subset).toBe('v2');
    expect(http(m.config(sidecar(m.push, '10.10.3.1')), 'reviews', 9080).subset).toBe('v1');
  });

  it('the cache key tells those proxies apart but not two replicas alike in what matters', () => {
    const a = sidecar(m.push, '10.10.3.1');
    const b = sidecar(m.push, '10.10.3.2');
    expect(proxyConfigKey(m.push, a)).not.toBe(proxyConfigKey(m.push, sidecar(m.push, '10.10.0.1')));
    expect(proxyConfigKey(m.push, a)).toBe(proxyConfigKey(m.push, b));
    expect(JSON.stringify(m.config(a))).toBe(JSON.stringify(m.config(b)));
  });
});

describe('inbound side and explicit mode', () => {
  const m = mesh([]);

  it('a sidecar receives on virtualInbound: a filter chain per workload port to inbound|port||', () => {
    const cfg = m.config(sidecar(m.push, '10.10.2.1'));
    const r = simulate(cfg, { port: 15006, host: 'reviews:9080' });
    expect(r.listener).toBe('virtualInbound');
    const vin = cfg.listeners.find((l) => l.name === 'virtualInbound')!;
    expect(vin.filterChains!.map((c) => c.name)).toEqual(['inbound_0.0.0.0_9080', 'virtualInbound-catchall']);
    const inb = cfg.clusters.find((c) => c.name === 'inbound|9080||')!;
    expect(inb).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
  });

  it('INTERCEPTION_MODE=NONE targets the workload address, HTTP_PROXY_PORT adds the http_proxy listener', () => {
    const cfg = m.config(sidecar(m.push, '10.10.0.1', { metadata: { HTTP_PROXY_PORT: '15080', INTERCEPTION_MODE: 'NONE' } }));
    expect(cfg.clusters.find((c) => c.name === 'inbound|9080||')).toMatchObject({ type: 'STATIC', loadAssignment: { endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: 9080 } } } }] }] } });
    // Peers reach the sidecar on the workload's address and port; it forwards to the app on loopback.
    const bound = cfg.listeners.find((l) => l.name === '10.10.0.1_9080')!;
    expect(bound.address).toEqual({ socketAddress: { address: '10.10.0.1', portValue: 9080 } });
    expect(bound.filterChains!.map((c) => c.name)).toEqual(['inbound_0.0.0.0_9080']);
    const withApp = m.config(sidecar(m.push, '10.10.0.1', { metadata: { INTERCEPTION_MODE: 'NONE', APP_ADDRESS: '127.0.11.1' } }));
    expect(JSON.stringify(withApp.clusters.find((c) => c.name === 'inbound|9080||'))).toContain('127.0.11.1');
    const r = simulate(cfg, { port: 15080, address: '127.0.0.1', host: 'reviews:9080' });
    expect(r).toMatchObject({ listener: '127.0.0.1_15080', routeConfig: 'http_proxy', cluster: `outbound|9080||${FQDN('reviews')}` });
    expect(simulate(cfg, { port: 15080, address: '127.0.0.1', host: 'sleep.other:80' }).cluster).toBe(`outbound|80||${FQDN('sleep', 'other')}`);
  });

  it('auto mTLS: clusters pick ISTIO_MUTUAL for endpoints with a sidecar, plaintext otherwise', () => {
    const cfg = m.config(sidecar(m.push, '10.10.0.1'));
    const reviews = cfg.clusters.find((c) => c.name === `outbound|9080||${FQDN('reviews')}`)!;
    expect((reviews['transportSocketMatches'] as { name: string }[]).map((t) => t.name)).toEqual(['tlsMode-istio', 'tlsMode-disabled']);
    const mysql = cfg.endpoints.find((e) => e.clusterName === `outbound|3306||${FQDN('mysqldb')}`)!;
    expect(mysql.endpoints[0]!.lbEndpoints[0]!.metadata).toEqual({ filterMetadata: { 'envoy.transport_socket_match': { fields: { tlsMode: { stringValue: 'disabled' } } } } });
    expect(cfg.secrets).toEqual(['ROOTCA', 'default']);
  });
});

describe('partial generation', () => {
  const m = mesh(['bookinfo-routing.yaml']);
  it('asking for endpoints only gives the same ClusterLoadAssignments as a full generation, and nothing else', async () => {
    const { generateProxyConfig } = await import('../src/configgen');
    const proxy = sidecar(m.push, '10.10.0.1');
    const eds = generateProxyConfig(m.push, proxy, {}, new Set(['endpoints']));
    expect(eds.listeners).toEqual([]);
    expect(eds.clusters).toEqual([]);
    expect(eds.endpoints).toEqual(m.config(proxy).endpoints);
  });
});
