import { describe, expect, it } from 'vitest';
import { PushContext } from './push-context';
import { createProxy } from './proxy';
import { resource, testEndpoint, testService } from './test-fixtures';

const reviews = testService('reviews', 'default', { http: 9080 });
const ratings = testService('ratings', 'default', { http: 9080 });
const other = testService('billing', 'finance', { http: 8080 }, { exportTo: ['.'] });

function push(configs: ReturnType<typeof resource>[]) {
  return PushContext.build({
    services: [reviews, ratings, other],
    endpoints: [...testEndpoint(reviews, '10.0.0.1', { app: 'reviews', version: 'v1' }), ...testEndpoint(reviews, '10.0.0.2', { app: 'reviews', version: 'v2' })],
    configs,
  });
}

describe('PushContext', () => {
  it('looks up services and endpoints', () => {
    const p = push([]);
    expect(p.service('reviews.default.svc.cluster.local')?.name).toBe('reviews');
    expect(p.endpoints(reviews, 9080).map((e) => e.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(p.serviceAccounts(reviews, 9080)).toEqual(['spiffe://cluster.local/ns/default/sa/reviews']);
  });

  it('finds the endpoints a proxy serves by IP', () => {
    const p = push([]);
    const proxy = createProxy({ namespace: 'default', ipAddresses: ['10.0.0.2'] });
    expect(p.proxyEndpoints(proxy).map((e) => e.labels['version'])).toEqual(['v2']);
    expect(p.proxyLabels(proxy)).toEqual({ app: 'reviews', version: 'v2' });
  });

  it('applies DestinationRule namespace precedence: client ns, then service ns, then root', () => {
    const p = push([
      resource('DestinationRule', 'istio-system', 'root', { host: '*.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
      resource('DestinationRule', 'default', 'svc-ns', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      resource('DestinationRule', 'client', 'client-ns', { host: 'reviews.default.svc.cluster.local', subsets: [{ name: 'mine' }] }),
    ]);
    expect(p.destinationRule({ namespace: 'client', labels: {} }, reviews)?.sources).toEqual(['client/client-ns']);
    expect(p.destinationRule({ namespace: 'other', labels: {} }, reviews)?.sources).toEqual(['default/svc-ns']);
    expect(p.destinationRule({ namespace: 'other', labels: {} }, ratings)?.sources).toEqual(['istio-system/root']);
  });

  it('merges DestinationRules for one host in one namespace (subsets append, oldest policy wins)', () => {
    const p = push([
      resource('DestinationRule', 'default', 'a', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } }, subsets: [{ name: 'v1' }] }, '2024-01-01T00:00:00Z'),
      resource('DestinationRule', 'default', 'b', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } }, subsets: [{ name: 'v1' }, { name: 'v2' }] }, '2024-01-02T00:00:00Z'),
    ]);
    const dr = p.destinationRule({ namespace: 'default', labels: {} }, reviews)!;
    expect(dr.sources).toEqual(['default/a', 'default/b']);
    expect(dr.spec.subsets?.map((s) => s.name)).toEqual(['v1', 'v2']);
    expect(dr.spec.trafficPolicy?.loadBalancer?.simple).toBe('RANDOM');
  });

  it('scopes services by exportTo and by Sidecar egress hosts', () => {
    const p = push([resource('Sidecar', 'scoped', 'default', { egress: [{ hosts: ['./*', 'default/ratings.default.svc.cluster.local'] }] })]);
    expect(p.sidecarScope({ namespace: 'default', labels: {} }).services.map((s) => s.name)).toEqual(['ratings', 'reviews']);
    expect(p.sidecarScope({ namespace: 'finance', labels: {} }).services.map((s) => s.name)).toEqual(['billing', 'ratings', 'reviews']);
    const scoped = p.sidecarScope({ namespace: 'scoped', labels: {} });
    expect(scoped.services.map((s) => s.name)).toEqual(['ratings']);
    expect(scoped.sidecarRef).toBe('scoped/default');
  });

  it('indexes VirtualServices by gateway and resolves short hosts', () => {
    const p = push([
      resource('VirtualService', 'default', 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }),
      resource('VirtualService', 'default', 'ingress', { hosts: ['*'], gateways: ['bookinfo-gateway'], http: [] }),
      resource('VirtualService', 'default', 'delegate', { http: [] }),
    ]);
    const mesh = p.sidecarScope({ namespace: 'default', labels: {} }).virtualServices;
    expect(mesh.map((v) => v.ref)).toEqual(['default/reviews']);
    expect(mesh[0]!.hosts).toEqual(['reviews.default.svc.cluster.local']);
    expect(p.virtualServiceIndex.forGateway('default/bookinfo-gateway', 'default').map((v) => v.ref)).toEqual(['default/ingress']);
    expect(p.virtualServiceIndex.delegate('default/delegate')?.ref).toBe('default/delegate');
    expect(p.virtualServiceIndex.forHost('reviews.default.svc.cluster.local', 'mesh', 'default').map((v) => v.ref)).toEqual(['default/reviews']);
    expect(p.virtualServiceIndex.forHost('x.example.com', 'default/bookinfo-gateway', 'default').map((v) => v.ref)).toEqual(['default/ingress']);
    expect(p.virtualServiceIndex.forHost('ratings.default.svc.cluster.local', 'mesh', 'default')).toEqual([]);
  });

  it('selects gateways by the router labels and Sidecars by workload selector', () => {
    const p = push([
      resource('Gateway', 'default', 'gw', { selector: { istio: 'ingressgateway' }, servers: [] }),
      resource('Sidecar', 'default', 'ns-wide', { egress: [{ hosts: ['*/*'] }] }),
      resource('Sidecar', 'default', 'for-v2', { workloadSelector: { labels: { version: 'v2' } }, egress: [{ hosts: ['./*'] }] }),
    ]);
    expect(p.gatewaysFor({ labels: { istio: 'ingressgateway' } }).map((g) => g.metadata.name)).toEqual(['gw']);
    expect(p.gatewaysFor({ labels: { app: 'x' } })).toEqual([]);
    expect(p.sidecarFor({ namespace: 'default', labels: { version: 'v2' } })?.metadata.name).toBe('for-v2');
    expect(p.sidecarFor({ namespace: 'default', labels: { version: 'v1' } })?.metadata.name).toBe('ns-wide');
  });

  it('selects security policies: root namespace mesh-wide, namespace, workload', () => {
    const p = push([
      resource('PeerAuthentication', 'istio-system', 'mesh', { mtls: { mode: 'STRICT' } }),
      resource('PeerAuthentication', 'default', 'ns', { mtls: { mode: 'PERMISSIVE' } }),
      resource('PeerAuthentication', 'default', 'wl', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'DISABLE' } }),
    ]);
    expect(p.securityPolicies({ namespace: 'default', labels: { app: 'reviews' } }).peerAuthentications.map((x) => x.metadata.name).sort()).toEqual(['mesh', 'ns', 'wl']);
    expect(p.securityPolicies({ namespace: 'default', labels: { app: 'ratings' } }).peerAuthentications.map((x) => x.metadata.name).sort()).toEqual(['mesh', 'ns']);
  });
});
