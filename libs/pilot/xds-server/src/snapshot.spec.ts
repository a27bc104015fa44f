import { TYPE_URL, decodeMessage } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { mergePushRequests, fullPush, endpointPush } from './push-request';
import { mergeSnapshot, packResource, resourcesOf, sameResources, snapshotOf, typeVersion, versioned } from './snapshot';

describe('snapshot model', () => {
  it('versions resources by content and types by their resources', () => {
    const a1 = versioned(TYPE_URL.cluster, { name: 'a', connectTimeout: { seconds: 1 } });
    const a2 = versioned(TYPE_URL.cluster, { name: 'a', connectTimeout: { seconds: 1 } });
    const a3 = versioned(TYPE_URL.cluster, { name: 'a', connectTimeout: { seconds: 2 } });
    expect(a1.version).toBe(a2.version);
    expect(a1.version).not.toBe(a3.version);
    const t1 = new Map([['a', a1]]);
    const t2 = new Map([['a', a2]]);
    expect(typeVersion(t1)).toBe(typeVersion(t2));
    expect(typeVersion(new Map([['a', a3]]))).not.toBe(typeVersion(t1));
    expect(sameResources(t1, t2)).toBe(true);
    expect(versioned(TYPE_URL.cluster, { name: 'x' }, 'v7').version).toBe('v7');
  });

  it('packs each resource object once, shared by every proxy that gets it', () => {
    const entry = versioned(TYPE_URL.endpoint, { clusterName: 'a', endpoints: [] }, '1');
    const p1 = packResource(TYPE_URL.endpoint, entry);
    expect(packResource(TYPE_URL.endpoint, entry)).toBe(p1);
    expect(decodeMessage<{ clusterName: string }>(TYPE_URL.endpoint, p1.value).clusterName).toBe('a');
  });

  it('names resources (ClusterLoadAssignment by clusterName) and merges partial snapshots', () => {
    const full = snapshotOf({ [TYPE_URL.cluster]: [{ name: 'a' }], [TYPE_URL.endpoint]: [{ clusterName: 'a' }] });
    expect([...full.get(TYPE_URL.endpoint)!.keys()]).toEqual(['a']);
    const eds = snapshotOf({ [TYPE_URL.endpoint]: resourcesOf(TYPE_URL.endpoint, [{ clusterName: 'a', endpoints: [{ lbEndpoints: [] }] }]) });
    const merged = mergeSnapshot(full, eds);
    expect(merged.get(TYPE_URL.cluster)).toBe(full.get(TYPE_URL.cluster));
    expect(merged.get(TYPE_URL.endpoint)).toBe(eds.get(TYPE_URL.endpoint));
    // An update covering every type is used as is (shared).
    expect(mergeSnapshot(eds, full)).toBe(full);
    // The same partial update of the same snapshot (every stream of a cache key on an EDS push) merges once.
    expect(mergeSnapshot(full, eds)).toBe(merged);
    const other = snapshotOf({ [TYPE_URL.endpoint]: resourcesOf(TYPE_URL.endpoint, [{ clusterName: 'a', endpoints: [] }]) });
    expect(mergeSnapshot(full, other)).not.toBe(merged);
    expect(mergeSnapshot(full, other).get(TYPE_URL.endpoint)).toBe(other.get(TYPE_URL.endpoint));
  });
});

describe('push requests', () => {
  it('merge: full wins, types and names union, earliest start, "all" absorbs', () => {
    const a = endpointPush('a', { clusters: ['x'], start: 5 });
    const b = endpointPush('b', { clusters: ['y'], start: 3 });
    const ab = mergePushRequests(a, b);
    expect(ab.full).toBe(false);
    expect(ab.start).toBe(3);
    expect([...ab.names!.get(TYPE_URL.endpoint)!]).toEqual(['x', 'y']);
    const withAllEndpoints = mergePushRequests(ab, endpointPush('c'));
    expect(withAllEndpoints.names).toBeUndefined();
    const full = mergePushRequests(ab, fullPush('cfg', { types: [TYPE_URL.route], proxies: ['p1'] }));
    expect(full.full).toBe(true);
    expect(full.proxies).toBeUndefined(); // ab targeted every proxy
    expect([...full.types!].sort()).toEqual([TYPE_URL.endpoint, TYPE_URL.route].sort());
    expect(mergePushRequests(fullPush('x', { proxies: ['p1'] }), fullPush('y', { proxies: ['p2'] })).proxies).toEqual(new Set(['p1', 'p2']));
  });
});
