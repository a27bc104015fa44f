import { describe, expect, it } from 'vitest';
import { EXTENSION_TYPE_URL, TYPE_URL, encodeMessage } from '@sextant/proto';
import { RouteEncoder } from './route-encoder';

const host = (i: number, weight = 90) => ({
  name: `svc-${i}.ns.svc.cluster.local:8080`,
  domains: [`svc-${i}.ns.svc.cluster.local`, `svc-${i}.ns.svc.cluster.local:8080`],
  routes: [
    { match: { prefix: '/', headers: [{ name: 'x-canary', stringMatch: { exact: 'yes' } }] }, route: { cluster: `outbound|8080|v2|svc-${i}.ns.svc.cluster.local` } },
    {
      match: { prefix: '/' },
      route: { weightedClusters: { clusters: [{ name: `outbound|8080|v1|svc-${i}.ns.svc.cluster.local`, weight: { value: weight } }, { name: `outbound|8080|v2|svc-${i}.ns.svc.cluster.local`, weight: { value: 100 - weight } }] } },
    },
  ],
});

describe('RouteEncoder', () => {
  it('gives the bytes of the whole-message encoder, reusing unchanged virtual hosts', () => {
    const enc = new RouteEncoder();
    const table = (w: number) => ({ name: '8080', virtualHosts: [host(0, w), host(1), host(2)], validateClusters: { value: false }, ignorePortInHostMatching: true });
    for (const route of [table(90), table(50), { name: 'empty' }, { name: 'only-hosts', virtualHosts: [host(3)] }, { virtualHosts: [host(4)] }]) {
      expect(enc.encode(route).equals(encodeMessage(TYPE_URL.route, route))).toBe(true);
    }
    // table(50) encoded one new host; the others came from table(90).
    expect(enc.stats).toEqual({ hostsEncoded: 6, hostsReused: 2 });
  });

  it('keeps nested typed configs (per-filter config Anys) byte-identical', () => {
    const enc = new RouteEncoder();
    const router = { '@type': EXTENSION_TYPE_URL.router, suppressEnvoyHeaders: true };
    const route = { name: 'r', virtualHosts: [{ ...host(0), typedPerFilterConfig: { 'envoy.filters.http.router': router } }, host(1)] };
    expect(enc.encode(route).equals(encodeMessage(TYPE_URL.route, route))).toBe(true);
  });

  it('rejects what the strict encoder rejects', () => {
    const enc = new RouteEncoder();
    expect(() => enc.encode({ name: 'bad', virtualHosts: [{ ...host(0), canary: true }] })).toThrow(/canary/);
  });

  it('forgets hosts two generations stopped using', () => {
    const enc = new RouteEncoder();
    enc.encode({ name: 'r', virtualHosts: [host(0)] });
    enc.nextGeneration();
    enc.nextGeneration();
    enc.nextGeneration();
    enc.encode({ name: 'r', virtualHosts: [host(0)] });
    expect(enc.stats).toEqual({ hostsEncoded: 2, hostsReused: 0 });
  });
});
