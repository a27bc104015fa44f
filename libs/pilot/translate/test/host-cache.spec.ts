// A VirtualHostCache changes what is built again, never what translation
// outputs: every golden scenario's proxies, translated through one cache
// shared by all scenarios (different configs, meshes and namespaces for the
// same hostnames), give exactly the uncached output; and an unchanged host
// keeps its object across namespaces and pushes, which the route encoder relies on.
import { describe, expect, it } from 'vitest';
import { generateProxyConfig } from '../src/configgen';
import { VirtualHostCache } from '../src/host-cache';
import type { RouteConfigurationObject } from '../src/envoy-types';
import { buildPush, loadConfigs, sidecar } from './fixtures';
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
