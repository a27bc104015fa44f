// Istio's own sample configuration (read by path from /work/shared, never
// copied) translates for a sidecar, the ingress gateway and a proxyless
// client without throwing, encodes under Envoy's protos and names no
// missing cluster. The documented task outcomes are checked on top.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { danglingClusterReferences, danglingRouteReferences } from '../src/consistency';
import { generateProxyConfig } from '../src/configgen';
import type { ProxyConfig } from '../src/envoy-types';
import { simulate } from '../src/simulation';
import { encodeEnvoy, RESOURCE_TYPES } from './envoy-proto';
import { buildPush, grpcClient, ISTIO_SAMPLES, loadConfigs, router, sidecar } from './fixtures';

const NETWORKING = join(ISTIO_SAMPLES, 'bookinfo/networking');
const DR_ALL = join(NETWORKING, 'destination-rule-all.yaml');
const files = readdirSync(NETWORKING).filter((f) => f.endsWith('.yaml')).sort();
const others = ['helloworld/helloworld-gateway.yaml', 'httpbin/httpbin-gateway.yaml', 'tcp-echo/tcp-echo-all-v1.yaml', 'tcp-echo/tcp-echo-20-v2.yaml'].map((f) => join(ISTIO_SAMPLES, f));

function encodesAll(config: ProxyConfig): void {
  for (const kind of ['listeners', 'routes', 'clusters', 'endpoints'] as const) for (const r of config[kind] as object[]) encodeEnvoy(RESOURCE_TYPES[kind], r);
  expect(danglingClusterReferences(config)).toEqual([]);
  expect(danglingRouteReferences(config)).toEqual([]);
}

describe('Istio samples translate', () => {
  it('reads every bookinfo networking file', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });
  for (const file of [...files.map((f) => join(NETWORKING, f)), ...others]) {
    it(file.slice(ISTIO_SAMPLES.length + 1), () => {
      const configs = loadConfigs(file, ...(file === DR_ALL ? [] : [DR_ALL]));
      expect(configs.length).toBeGreaterThan(0);
      const push = buildPush('bookinfo.yaml', configs);
      for (const proxy of [sidecar(push, '10.10.0.1'), router(), grpcClient()]) encodesAll(generateProxyConfig(push, proxy));
    });
  }
});

describe('Istio task outcomes with the samples', () => {
  const run = (...names: string[]) => {
    const push = buildPush('bookinfo.yaml', loadConfigs(DR_ALL, ...names.map((n) => join(NETWORKING, n))));
    return { push, pp: generateProxyConfig(push, sidecar(push, '10.10.0.1')) };
  };
  const reviews = (pp: ProxyConfig, headers: Record<string, string> = {}) => simulate(pp, { port: 9080, host: 'reviews:9080', headers });

  it('virtual-service-all-v1: everything goes to v1', () => {
    const { pp } = run('virtual-service-all-v1.yaml');
    for (const host of ['reviews', 'ratings', 'details', 'productpage']) expect(simulate(pp, { port: 9080, host }).subset).toBe('v1');
  });

  it('virtual-service-reviews-test-v2: jason sees v2', () => {
    const { pp } = run('virtual-service-reviews-test-v2.yaml');
    expect(reviews(pp, { 'end-user': 'jason' }).subset).toBe('v2');
    expect(reviews(pp).subset).toBe('v1');
  });

  it('ratings-test-delay and ratings-test-abort', () => {
    expect(simulate(run('virtual-service-ratings-test-delay.yaml').pp, { port: 9080, host: 'ratings', headers: { 'end-user': 'jason' } }).fault).toEqual({ delayMs: 7000, delayPercent: 100 });
    expect(simulate(run('virtual-service-ratings-test-abort.yaml').pp, { port: 9080, host: 'ratings', headers: { 'end-user': 'jason' } }).fault).toEqual({ abortHttpStatus: 500, abortPercent: 100 });
  });

  it('reviews 50-v3, 80-20, 90-10 and v3 shift the weights', () => {
    const pct = (f: string) => reviews(run(f).pp).weighted?.map((w) => `${w.cluster.split('|')[2]}=${w.percent}`) ?? [reviews(run(f).pp).subset];
    expect(pct('virtual-service-reviews-50-v3.yaml')).toEqual(['v1=50', 'v3=50']);
    expect(pct('virtual-service-reviews-80-20.yaml')).toEqual(['v1=80', 'v2=20']);
    expect(pct('virtual-service-reviews-90-10.yaml')).toEqual(['v1=90', 'v2=10']);
    expect(pct('virtual-service-reviews-v3.yaml')).toEqual(['v3']);
  });

  it('bookinfo-gateway: the ingress sends /productpage to productpage', () => {
    const { push } = run('bookinfo-gateway.yaml');
    const gw = generateProxyConfig(push, router());
    expect(simulate(gw, { port: 8080, host: 'anything.example', path: '/productpage' }).cluster).toBe('outbound|9080||productpage.default.svc.cluster.local');
    expect(simulate(gw, { port: 8080, host: 'x', path: '/api/v1/products/1' }).cluster).toBe('outbound|9080||productpage.default.svc.cluster.local');
    expect(simulate(gw, { port: 8080, host: 'x', path: '/admin' }).error).toBe('no-route');
  });
});
