import { EXTENSION_TYPE_URL, TYPE_URL, packAny, typedAny } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { checkConsistency, resourceRefs } from './consistency';
import { resourcesOf, versioned } from './snapshot';

const cluster = (name: string, eds = true, serviceName?: string) => ({
  name,
  ...(eds ? { type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, ...(serviceName ? { serviceName } : {}) } } : { type: 'STRICT_DNS' }),
});
const route = (name: string, ...clusters: string[]) => ({
  name,
  virtualHosts: [{ name: 'vh', domains: ['*'], routes: clusters.map((c) => ({ match: { prefix: '/' }, route: { cluster: c } })) }],
});
const tcpListener = (name: string, cluster: string) => ({
  name,
  filterChains: [{ filters: [{ name: 'tcp', typedConfig: typedAny(EXTENSION_TYPE_URL.tcpProxy, { statPrefix: 'tcp', cluster }) }] }],
});
const httpListener = (name: string, rds: string) => ({
  name,
  filterChains: [
    {
      filters: [
        {
          name: 'hcm',
          // Packed bytes work as well as JSON-style Anys.
          typedConfig: packAny(EXTENSION_TYPE_URL.httpConnectionManager, { statPrefix: 'http', rds: { routeConfigName: rds, configSource: { ads: {} } } }),
        },
      ],
    },
  ],
});

describe('consistency check', () => {
  it('finds references in routes, listeners (HCM rds, inline routes, TCP proxy) and EDS clusters', () => {
    const l = versioned(TYPE_URL.listener, httpListener('l', 'r1'));
    expect(resourceRefs(TYPE_URL.listener, 'l', l)).toEqual({ clusters: [], routes: ['r1'], endpoints: [] });
    const t = versioned(TYPE_URL.listener, tcpListener('t', 'db'));
    expect(resourceRefs(TYPE_URL.listener, 't', t).clusters).toEqual(['db']);
    const c = versioned(TYPE_URL.cluster, cluster('outbound|80||a', true, 'a-svc'));
    expect(resourceRefs(TYPE_URL.cluster, 'outbound|80||a', c).endpoints).toEqual(['a-svc']);
    const wc = versioned(TYPE_URL.route, {
      name: 'w',
      virtualHosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { weightedClusters: { clusters: [{ name: 'x', weight: { value: 1 } }, { name: 'y', weight: { value: 1 } }] } } }] }],
    });
    expect(resourceRefs(TYPE_URL.route, 'w', wc).clusters).toEqual(['x', 'y']);
  });

  it('drops each inconsistent resource alone, reports why, and keeps the snapshot object when all is well', () => {
    const good = new Map([
      [TYPE_URL.cluster, resourcesOf(TYPE_URL.cluster, [cluster('a'), cluster('dns', false)])],
      [TYPE_URL.endpoint, resourcesOf(TYPE_URL.endpoint, [{ clusterName: 'a', endpoints: [] }])],
      [TYPE_URL.route, resourcesOf(TYPE_URL.route, [route('r1', 'a', 'dns')])],
      [TYPE_URL.listener, resourcesOf(TYPE_URL.listener, [httpListener('l1', 'r1'), tcpListener('t1', 'dns')])],
    ]);
    const ok = checkConsistency(good);
    expect(ok.errors).toEqual([]);
    expect(ok.snapshot).toBe(good);
    expect(checkConsistency(good)).toBe(ok); // cached per snapshot object

    const bad = new Map([
      [TYPE_URL.cluster, resourcesOf(TYPE_URL.cluster, [cluster('a'), cluster('no-cla')])],
      [TYPE_URL.endpoint, resourcesOf(TYPE_URL.endpoint, [{ clusterName: 'a', endpoints: [] }])],
      [TYPE_URL.route, resourcesOf(TYPE_URL.route, [route('r1', 'a'), route('r2', 'missing')])],
      [TYPE_URL.listener, resourcesOf(TYPE_URL.listener, [httpListener('l1', 'r2'), httpListener('l2', 'nope'), tcpListener('t1', 'gone')])],
    ]);
    const checked = checkConsistency(bad);
    expect(checked.errors.map((e) => `${e.name}: ${e.reason}`).sort()).toEqual([
      'l2: refers to RDS route configurations not in the snapshot: nope',
      'no-cla: EDS cluster without a ClusterLoadAssignment: no-cla',
      'r2: refers to clusters not in the snapshot: missing',
      't1: refers to clusters not in the snapshot: gone',
    ]);
    // l1 refers to r2, which was dropped: l1 itself stays (a broken resource drops only itself).
    expect([...checked.snapshot.get(TYPE_URL.listener)!.keys()]).toEqual(['l1']);
    expect([...checked.snapshot.get(TYPE_URL.route)!.keys()]).toEqual(['r1']);
    expect(checked.snapshot.get(TYPE_URL.endpoint)).toBe(bad.get(TYPE_URL.endpoint)); // untouched types are shared
  });

  it('drops a resource that does not encode', () => {
    const snap = new Map([[TYPE_URL.cluster, new Map([['typo', { version: '1', resource: { name: 'typo', lb_policy: 'ROUND_ROBIN' } }]])]]);
    const checked = checkConsistency(snap);
    expect(checked.errors[0]!.reason).toMatch(/cannot be encoded: .*did you mean lbPolicy/);
    expect(checked.snapshot.get(TYPE_URL.cluster)!.size).toBe(0);
  });
});
