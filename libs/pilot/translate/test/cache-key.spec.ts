// When a push may keep every proxy's cache key (cacheKeysCarryOver): only
// VirtualService/DestinationRule changes whose key inputs stay equal; and
// whenever it says so, recomputing the keys gives the same keys.
import { describe, expect, it } from 'vitest';
import { cacheKeyCarriesOver, cacheKeysCarryOver, keyInputsFingerprint, proxyConfigKey } from '../src/cache-key';
import { buildPush, grpcClient, parseConfigs, router, sidecar } from './fixtures';

const base = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - route: [{ destination: { host: reviews, subset: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
`;
const push = (extra = '', replace: [string, string] = ['', '']) => buildPush('bookinfo.yaml', parseConfigs(base.replace(...replace) + extra));
const full = (...keys: string[]) => ({ full: true, configsUpdated: new Set(keys) });
const ADDRESSES = ['10.10.0.1', '10.10.2.1', '10.10.2.2', '10.10.3.1', '10.20.0.1'];
const keysOf = (p: ReturnType<typeof push>) => [...ADDRESSES.map((a) => proxyConfigKey(p, sidecar(p, a))), proxyConfigKey(p, router()), proxyConfigKey(p, grpcClient())];

describe('cacheKeysCarryOver', () => {
  const before = push();

  it('a VirtualService change that leaves source labels alone keeps every key (and recomputing agrees)', () => {
    const after = push('', ['subset: v1 } }]', 'subset: v2 } }]']);
    expect(cacheKeysCarryOver(before, after, full('VirtualService/default/reviews'))).toBe(true);
    expect(keysOf(after)).toEqual(keysOf(before));
  });

  it('a DestinationRule change with the same selectors and no outlier detection keeps every key', () => {
    const after = push('', ['{ name: v2, labels: { version: v2 } }', '{ name: v3, labels: { version: v3 } }']);
    expect(cacheKeysCarryOver(before, after, full('DestinationRule/default/reviews', 'VirtualService/default/reviews'))).toBe(true);
    expect(keysOf(after)).toEqual(keysOf(before));
  });

  it('a VirtualService that starts matching on source labels changes the key inputs: keys are recomputed', () => {
    const after = push('', ['  - route: [{ destination: { host: reviews, subset: v1 } }]', '  - match: [{ sourceLabels: { app: productpage } }]\n    route: [{ destination: { host: reviews, subset: v2 } }]\n  - route: [{ destination: { host: reviews, subset: v1 } }]']);
    expect(keyInputsFingerprint(after)).not.toBe(keyInputsFingerprint(before));
    expect(cacheKeysCarryOver(before, after, full('VirtualService/default/reviews'))).toBe(false);
    expect(keysOf(after)).not.toEqual(keysOf(before));
  });

  it('outlier detection turned on (locality enters the key) or a workload-selecting DestinationRule: recomputed', () => {
    const outlier = push('', ['  host: reviews\n', '  host: reviews\n  trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } }\n']);
    expect(cacheKeysCarryOver(before, outlier, full('DestinationRule/default/reviews'))).toBe(false);
    const selecting = push('', ['  host: reviews\n', '  host: reviews\n  workloadSelector: { matchLabels: { app: productpage } }\n']);
    expect(cacheKeysCarryOver(before, selecting, full('DestinationRule/default/reviews'))).toBe(false);
  });

  it('any other kind, an endpoint push, or an unscoped or unknown change: recomputed', () => {
    const after = push();
    for (const kind of ['Sidecar', 'Gateway', 'ServiceEntry', 'WorkloadEntry', 'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Service', 'EnvoyFilter']) {
      expect(cacheKeysCarryOver(before, after, full('VirtualService/default/reviews', `${kind}/default/x`)), kind).toBe(false);
    }
    expect(cacheKeysCarryOver(before, after, { full: false, configsUpdated: new Set(['Service/default/reviews.default.svc.cluster.local']) })).toBe(false);
    expect(cacheKeysCarryOver(before, after, { full: true })).toBe(false);
    expect(cacheKeysCarryOver(before, after, full())).toBe(false);
    expect(cacheKeysCarryOver(before, after, undefined)).toBe(false);
  });

  it('a different mesh config is never carried over', () => {
    const other = buildPush('bookinfo.yaml', parseConfigs(base), { rootNamespace: 'mesh-root' });
    expect(cacheKeysCarryOver(before, other, full('VirtualService/default/reviews'))).toBe(false);
  });
});

describe('cacheKeyCarriesOver (endpoint pushes, proxy by proxy)', () => {
  const before = push();
  const after = push();
  const eds = (...hosts: string[]) => ({ full: false, configsUpdated: new Set(hosts.map((h) => `Service/default/${h}.default.svc.cluster.local`)) });

  it('keeps the key of a proxy none of whose own endpoints belong to a changed service', () => {
    const productpage = sidecar(after, '10.10.0.1');
    expect(cacheKeyCarriesOver(before, after, eds('reviews', 'ratings'), productpage)).toBe(true);
    expect(proxyConfigKey(after, productpage)).toBe(proxyConfigKey(before, productpage));
    expect(cacheKeyCarriesOver(before, after, eds('reviews'), router())).toBe(true);
  });

  it('recomputes for a proxy serving a changed service, and for anything but an endpoint push of services', () => {
    const reviews = sidecar(after, '10.10.2.1');
    expect(after.proxyEndpoints(reviews).map((e) => e.hostname)).toContain('reviews.default.svc.cluster.local');
    expect(cacheKeyCarriesOver(before, after, eds('reviews'), reviews)).toBe(false);
    const productpage = sidecar(after, '10.10.0.1');
    expect(cacheKeyCarriesOver(before, after, { full: true, configsUpdated: new Set(['Service/default/reviews.default.svc.cluster.local']) }, productpage)).toBe(false);
    expect(cacheKeyCarriesOver(before, after, { full: false, configsUpdated: new Set(['VirtualService/default/reviews']) }, productpage)).toBe(false);
    expect(cacheKeyCarriesOver(before, after, { full: false }, productpage)).toBe(false);
    expect(cacheKeyCarriesOver(before, after, undefined, productpage)).toBe(false);
    const rooted = buildPush('bookinfo.yaml', parseConfigs(base), { rootNamespace: 'mesh-root' });
    expect(cacheKeyCarriesOver(before, rooted, eds('reviews'), productpage)).toBe(false);
  });
});
