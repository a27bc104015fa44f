// A VirtualHostCache changes what is built again, never what translation
// outputs: every golden scenario's proxies, translated through one cache
// shared by all scenarios (different configs, meshes and namespaces for the
// same hostnames), give exactly the uncached output; and an unchanged host
// keeps its object across namespaces and pushes, which the route encoder relies on.
// A VirtualService's routes are reused only by proxies whose context answers
// every read the first build made (source labels, visible services, subsets).
import { describe, expect, it } from 'vitest';
import { generateProxyConfig } from '../src/configgen';
import { VirtualHostCache } from '../src/host-cache';
import type { RouteConfigurationObject } from '../src/envoy-types';
import { buildPush, loadConfigs, parseConfigs, sidecar } from './fixtures';
import { runScenario, SCENARIOS } from './scenarios';

const hostOf = (routes: RouteConfigurationObject[], route: string, host: string) => routes.find((r) => r.name === route)!.virtualHosts.find((v) => v.name === host)!;

describe('VirtualHostCache', () => {
  it('gives every golden scenario the output it gives without a cache, in either order, sharing one cache', () => {
    const cache = new VirtualHostCache();
    for (const order of [SCENARIOS, [...SCENARIOS].reverse()]) {
      for (const scenario of order) {
        cache.nextGeneration();
        const { push, outputs } = runScenario(scenario);
        for (const { proxy, config } of outputs) {
          const cached = generateProxyConfig(push, proxy.proxy(push), { ...proxy.options, cache });
          expect(JSON.stringify(cached), `${scenario.name} / ${proxy.name}`).toBe(JSON.stringify(config));
        }
      }
    }
    expect(cache.stats.reused).toBeGreaterThan(0);
  });

  it('shares a host between namespaces and pushes while its inputs hold, and builds it again when one changes', () => {
    const cache = new VirtualHostCache();
    const push1 = buildPush('bookinfo.yaml', []);
    const productpage = sidecar(push1, '10.10.0.1');
    const other = { ...productpage, namespace: 'other', id: 'sidecar~10.20.0.9~sleep.other~other.svc.cluster.local' };
    const routes = (push: typeof push1, proxy: typeof productpage) => generateProxyConfig(push, proxy, { cache }).routes;

    const a = routes(push1, productpage);
    const b = routes(push1, other);
    const ratings = 'ratings.default.svc.cluster.local:9080';
    // The short name `ratings` is a domain only for proxies in `default`: two objects, each reused.
    expect(hostOf(a, '9080', ratings).domains).toContain('ratings');
    expect(hostOf(b, '9080', ratings).domains).not.toContain('ratings');
    expect(hostOf(routes(push1, productpage), '9080', ratings)).toBe(hostOf(a, '9080', ratings));

    // The next push without changes: the same object.
    cache.nextGeneration();
    const push2 = buildPush('bookinfo.yaml', []);
    expect(hostOf(routes(push2, productpage), '9080', ratings)).toBe(hostOf(a, '9080', ratings));

    // A DestinationRule with a consistent hash changes the default route: built again.
    cache.nextGeneration();
    const push3 = buildPush('bookinfo.yaml', loadConfigs('circuit-breaker.yaml'));
    const withoutCache = generateProxyConfig(push3, productpage).routes;
    const withCache = routes(push3, productpage);
    expect(JSON.stringify(withCache)).toBe(JSON.stringify(withoutCache));

    // The mesh's default retry policy is an input too.
    cache.nextGeneration();
    const push4 = buildPush('bookinfo.yaml', [], { defaultHttpRetryPolicy: { attempts: 7 } });
    const retried = hostOf(routes(push4, productpage), '9080', ratings);
    expect(retried).not.toBe(hostOf(a, '9080', ratings));
    expect(retried.routes[0]!.route!.retryPolicy!.numRetries).toEqual({ value: 7 });
    expect(JSON.stringify(routes(push4, productpage))).toBe(JSON.stringify(generateProxyConfig(push4, productpage).routes));
  });

  const ROUTING = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec:
  host: reviews
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  http:
    - match: [{ sourceLabels: { app: productpage } }]
      route: [{ destination: { host: reviews, subset: v2 } }]
    - route: [{ destination: { host: reviews, subset: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings, namespace: default }
spec:
  hosts: [ratings]
  http:
    - route: [{ destination: { host: ratings } }]
      timeout: 3s
`;
  const reviews = 'reviews.default.svc.cluster.local:9080';
  const ratings = 'ratings.default.svc.cluster.local:9080';

  it('reuses VirtualService routes only where every input the build read is the same', () => {
    const cache = new VirtualHostCache();
    const push = buildPush('bookinfo.yaml', parseConfigs(ROUTING));
    const productpage = sidecar(push, '10.10.0.1');
    const details = sidecar(push, '10.10.1.1');
    const sleep = sidecar(push, '10.20.0.1');
    const out = new Map([productpage, details, sleep].map((p) => [p, generateProxyConfig(push, p, { cache }).routes]));
    for (const [p, routes] of out) expect(JSON.stringify(routes), p.id).toBe(JSON.stringify(generateProxyConfig(push, p).routes));

    // sourceLabels: productpage's reviews routes go to v2 (its match becomes a catch-all), details' skip the match.
    const pp = hostOf(out.get(productpage)!, '9080', reviews);
    const dt = hostOf(out.get(details)!, '9080', reviews);
    expect(pp.routes.map((r) => r.route?.cluster)).toEqual(['outbound|9080|v2|reviews.default.svc.cluster.local']);
    expect(dt.routes.map((r) => r.route?.cluster)).toEqual(['outbound|9080|v1|reviews.default.svc.cluster.local']);
    // No source match in ratings' VirtualService: the same routes for every proxy, in every namespace.
    expect(hostOf(out.get(details)!, '9080', ratings).routes).toBe(hostOf(out.get(productpage)!, '9080', ratings).routes);
    expect(hostOf(out.get(sleep)!, '9080', ratings).routes).toBe(hostOf(out.get(productpage)!, '9080', ratings).routes);
    // details has app=details like no other proxy here, but the match reads only `app`: another details-like proxy shares.
    const details2 = { ...details, id: 'sidecar~10.10.1.9~details-x.default~default.svc.cluster.local', labels: { app: 'details', version: 'v9' } };
    expect(hostOf(generateProxyConfig(push, details2, { cache }).routes, '9080', reviews).routes).toBe(dt.routes);

    // The next push, the same config: the same routes objects.
    cache.nextGeneration();
    const push2 = buildPush('bookinfo.yaml', parseConfigs(ROUTING));
    expect(hostOf(generateProxyConfig(push2, productpage, { cache }).routes, '9080', reviews).routes).toBe(pp.routes);
  });

  it('builds VirtualService routes again when a subset they name disappears (and the proxy warns, as without a cache)', () => {
    const cache = new VirtualHostCache();
    const push = buildPush('bookinfo.yaml', parseConfigs(ROUTING));
    const details = sidecar(push, '10.10.1.1');
    const before = generateProxyConfig(push, details, { cache });
    expect(before.warnings).toEqual([]);
    cache.nextGeneration();
    const noV1 = ROUTING.replace('{ name: v1, labels: { version: v1 } }, ', '');
    const push2 = buildPush('bookinfo.yaml', parseConfigs(noV1));
    for (let i = 0; i < 2; i++) {
      const after = generateProxyConfig(push2, details, { cache });
      const plain = generateProxyConfig(push2, details);
      expect(JSON.stringify(after)).toBe(JSON.stringify(plain));
      expect(after.warnings.join('\n')).toMatch(/outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local is unknown/);
      expect(hostOf(after.routes, '9080', reviews).routes[0]!.route!.cluster).toBe('BlackHoleCluster');
    }
  });

  it('forgets hosts the last two generations did not use', () => {
    const cache = new VirtualHostCache();
    const push = buildPush('bookinfo.yaml', []);
    generateProxyConfig(push, sidecar(push, '10.10.0.1'), { cache });
    const size = cache.size;
    expect(size).toBeGreaterThan(0);
    cache.nextGeneration();
    cache.nextGeneration();
    expect(cache.size).toBe(size);
    cache.nextGeneration();
    expect(cache.size).toBe(0);
  });
});
