import { describe, expect, it } from 'vitest';
import { PushContext, endpointPush as modelEndpointPush, fullPush as modelFullPush, TriggerReason } from '@sextant/pilot-model';
import { TYPE_URL } from '@sextant/proto';
import { silentLogger } from '@sextant/util';
import type { ProxyInfo } from '@sextant/xds-server';
import { PilotSnapshotSource, reusableTypes, type Translator } from './snapshot-source';

const push = () => PushContext.build({ services: [], endpoints: [], configs: [] });

function proxy(id: string, namespace = 'default', grpc = true): ProxyInfo {
  return { id, istio: false, ipAddresses: [], cluster: '', metadata: { NAMESPACE: namespace, ...(grpc ? { GENERATOR: 'grpc' } : {}) }, userAgent: grpc ? 'gRPC Node/1.14.1' : 'envoy/1.30.1', clientFeatures: [] };
}

/** Output per namespace: a listener, a cluster per name in `clusters`, and its endpoints at `address`. */
function fakeTranslator() {
  const state = { clusters: ['a'], address: '10.0.0.1', calls: 0 };
  const translator: Translator = {
    cacheKey: (_push, p) => `${p.namespace}|${p.proxyless}`,
    translate(_push, p) {
      state.calls++;
      return {
        resources: new Map<string, object[]>([
          [TYPE_URL.listener, [{ name: `${p.namespace}-listener` }]],
          [TYPE_URL.cluster, state.clusters.map((c) => ({ name: c, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} } } }))],
          [TYPE_URL.endpoint, state.clusters.map((c) => ({ clusterName: c, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: state.address, portValue: 80 } } } }] }] }))],
        ]),
        warnings: ['one warning'],
      };
    },
  };
  return { translator, state };
}

describe('PilotSnapshotSource', () => {
  it('holds requests until the first push context, then serves them', async () => {
    const { translator } = fakeTranslator();
    const source = new PilotSnapshotSource(translator, silentLogger());
    let served = false;
    const pending = Promise.resolve(source.snapshotFor(proxy('p1'))).then((s) => {
      served = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(served).toBe(false);
    source.setPush(push(), undefined);
    const snap = await pending;
    expect([...snap.get(TYPE_URL.listener)!.keys()]).toEqual(['default-listener']);
  });

  it('translates once per cache key and hands every proxy with that key the same objects', async () => {
    const { translator, state } = fakeTranslator();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(push(), undefined);
    const a = await source.snapshotFor(proxy('p1'));
    const b = await source.snapshotFor(proxy('p2'));
    const other = await source.snapshotFor(proxy('p3', 'prod'));
    expect(state.calls).toBe(2);
    expect(b.get(TYPE_URL.cluster)).toBe(a.get(TYPE_URL.cluster));
    expect(other.get(TYPE_URL.listener)).not.toBe(a.get(TYPE_URL.listener));
    // Equal output of another key is interned: one map, one encoding.
    expect(other.get(TYPE_URL.cluster)).toBe(a.get(TYPE_URL.cluster));
    expect(source.cacheStats()).toMatchObject({ entries: 2, hits: 1, misses: 2 });
    expect(source.warnings()).toEqual([{ warning: 'one warning', entries: 2 }]);
  });

  it('keeps every type but EDS across an endpoint-only push, and starts over on a full push', async () => {
    const { translator, state } = fakeTranslator();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(push(), undefined);
    const before = await source.snapshotFor(proxy('p1'));
    state.address = '10.0.0.2';
    source.setPush(push(), modelEndpointPush('default', ['a.default.svc.cluster.local']));
    const eds = await source.snapshotFor(proxy('p1'), new Set([TYPE_URL.endpoint]));
    expect([...eds.keys()]).toEqual([TYPE_URL.endpoint]);
    expect(JSON.stringify(eds.get(TYPE_URL.endpoint)!.get('a')!.resource)).toContain('10.0.0.2');
    const all = await source.snapshotFor(proxy('p1'));
    expect(all.get(TYPE_URL.cluster)).toBe(before.get(TYPE_URL.cluster));
    expect(all.get(TYPE_URL.listener)).toBe(before.get(TYPE_URL.listener));
    const calls = state.calls;
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate));
    const after = await source.snapshotFor(proxy('p1'));
    expect(state.calls).toBe(calls + 1); // translated again...
    expect(after.get(TYPE_URL.listener)).toBe(before.get(TYPE_URL.listener)); // ...but unchanged output is the same objects
  });

  it('keeps a cluster removed from a proxyless output served for the grace period, with its endpoints', async () => {
    const { translator, state } = fakeTranslator();
    let now = 1_000;
    const source = new PilotSnapshotSource(translator, silentLogger(), {}, { retiredClusterGraceMs: 5_000, now: () => now });
    source.setPush(push(), undefined);
    await source.snapshotFor(proxy('p1'));
    state.clusters = ['b'];
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate));
    const during = await source.snapshotFor(proxy('p1'));
    expect([...during.get(TYPE_URL.cluster)!.keys()].sort()).toEqual(['a', 'b']);
    expect([...during.get(TYPE_URL.endpoint)!.keys()].sort()).toEqual(['a', 'b']);
    // An endpoint-only push keeps the retired cluster's endpoints too.
    source.setPush(push(), modelEndpointPush('default', ['b']));
    expect([...(await source.snapshotFor(proxy('p1'), new Set([TYPE_URL.endpoint]))).get(TYPE_URL.endpoint)!.keys()].sort()).toEqual(['a', 'b']);
    now += 6_000;
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate));
    const later = await source.snapshotFor(proxy('p1'));
    expect([...later.get(TYPE_URL.cluster)!.keys()]).toEqual(['b']);
    // Envoy-style (wildcard) proxies get exactly the current output.
    state.clusters = ['c'];
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate));
    await source.snapshotFor(proxy('e1', 'default', false));
    state.clusters = ['d'];
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate));
    expect([...(await source.snapshotFor(proxy('e1', 'default', false))).get(TYPE_URL.cluster)!.keys()]).toEqual(['d']);
  });

  it('names the proxies a change concerns (Istio ProxyNeedsPush)', () => {
    const { translator } = fakeTranslator();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(push(), undefined);
    const xdsRequest = { full: true, reason: ['x'], start: 0 };
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate, ['Sidecar/prod/default']), xdsRequest);
    expect(source.affects(proxy('p1', 'default', false), xdsRequest)).toBe(false);
    expect(source.affects(proxy('p2', 'prod', false), xdsRequest)).toBe(true);
    expect(source.affects(proxy('p1', 'default', false), { ...xdsRequest })).toBe(true); // unknown request: push
  });

  it('keeps clusters and endpoints across a push that changed VirtualServices only', async () => {
    const { translator, state } = fakeTranslator();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(push(), undefined);
    const before = await source.snapshotFor(proxy('p1'));
    state.clusters = ['z']; // would show if CDS were rebuilt
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate, ['VirtualService/default/vs']));
    const after = await source.snapshotFor(proxy('p1'));
    expect(after.get(TYPE_URL.cluster)).toBe(before.get(TYPE_URL.cluster));
    expect(after.get(TYPE_URL.endpoint)).toBe(before.get(TYPE_URL.endpoint));
    expect([...reusableTypes(modelFullPush(TriggerReason.ConfigUpdate, ['VirtualService/a/b', 'DestinationRule/a/b']))]).toEqual([]);
    expect([...reusableTypes(undefined)]).toEqual([]);
  });

  it("keeps each proxy's cache key across a push the translator says cannot move keys, and recomputes after any other", async () => {
    const { translator } = fakeTranslator();
    let keyCalls = 0;
    const decisions: boolean[] = [];
    const counting: Translator = {
      ...translator,
      cacheKey: (p, m) => (keyCalls++, translator.cacheKey(p, m)),
      keysCarryOver: (_prev, _next, request) => {
        const same = request?.configsUpdated?.has('VirtualService/default/r') === true;
        decisions.push(same);
        return same;
      },
    };
    const source = new PilotSnapshotSource(counting, silentLogger());
    const p1 = proxy('p1');
    const p2 = proxy('p2', 'prod');
    source.setPush(push(), undefined);
    await source.snapshotFor(p1);
    await source.snapshotFor(p2);
    expect(keyCalls).toBe(2);
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate, ['VirtualService/default/r']));
    const a = await source.snapshotFor(p1);
    await source.snapshotFor(p2);
    expect(keyCalls).toBe(2);
    expect([...a.get(TYPE_URL.listener)!.keys()]).toEqual(['default-listener']);
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate, ['Sidecar/default/s']));
    await source.snapshotFor(p1);
    expect(keyCalls).toBe(3);
    expect(decisions).toEqual([true, false]);
  });

  it('on an endpoint push asks proxy by proxy whether a key carries over, and recomputes the others', async () => {
    const { translator } = fakeTranslator();
    let keyCalls = 0;
    const asked: string[] = [];
    const counting: Translator = {
      ...translator,
      cacheKey: (p, m) => (keyCalls++, translator.cacheKey(p, m)),
      keysCarryOver: () => false,
      keyCarriesOver: (_prev, _next, request, m) => {
        asked.push(m.id);
        return request?.full === false && m.namespace !== 'prod';
      },
    };
    const source = new PilotSnapshotSource(counting, silentLogger());
    const p1 = proxy('p1');
    const p2 = proxy('p2', 'prod');
    source.setPush(push(), undefined);
    await source.snapshotFor(p1);
    await source.snapshotFor(p2);
    expect(keyCalls).toBe(2);
    source.setPush(push(), modelEndpointPush('default', ['a.default.svc.cluster.local']));
    await source.snapshotFor(p1);
    await source.snapshotFor(p2);
    expect(keyCalls).toBe(3);
    expect(asked).toEqual(['p1', 'p2']);
    // A full push never asks per proxy.
    source.setPush(push(), modelFullPush(TriggerReason.ConfigUpdate, ['Sidecar/default/s']));
    await source.snapshotFor(p1);
    expect(keyCalls).toBe(4);
    expect(asked).toEqual(['p1', 'p2']);
  });
});
