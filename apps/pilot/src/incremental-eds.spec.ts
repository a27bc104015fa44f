// Istio's incremental EDS through the real translator: an endpoint-only push
// rebuilds the ClusterLoadAssignments of the changed services only; every
// other CLA stays the same object with the same encoding.
import { beforeAll, describe, expect, it } from 'vitest';
import type { IstioResource } from '@sextant/config-model';
import { PushContext, endpointPush, fullPush, TriggerReason, type Service, type ServiceEndpoint } from '@sextant/pilot-model';
import { TYPE_URL, loadMoreEnvoyProtos } from '@sextant/proto';
import { ENVOY_PROTOS_FOR_TRANSLATION } from '@sextant/translate';
import { silentLogger } from '@sextant/util';
import type { ProxyInfo, TypeResources } from '@sextant/xds-server';
import { PilotSnapshotSource, type Translator } from './snapshot-source';
import { istioTranslator } from './translator';

const NS = 'shop';
const host = (name: string) => `${name}.${NS}.svc.cluster.local`;

function service(name: string): Service {
  return { hostname: host(name), namespace: NS, name, ports: [{ name: 'http', port: 80, protocol: 'HTTP' }], addresses: [], labels: { app: name }, exportTo: ['*'], resolution: 'STATIC', meshExternal: false, registry: 'memory' };
}

function endpoint(name: string, address: string, version: string): ServiceEndpoint {
  return { hostname: host(name), namespace: NS, servicePort: 80, servicePortName: 'http', address, port: 8080, labels: { app: name, version }, serviceAccount: name, health: 'HEALTHY', tlsMode: 'istio' };
}

function rule(subsets: string[]): IstioResource {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'a', namespace: NS },
    spec: { host: host('a'), subsets: subsets.map((v) => ({ name: v, labels: { version: v } })) },
  } as IstioResource;
}

function sidecar(id: string): ProxyInfo {
  return { id: `${id}.${NS}`, istio: true, ipAddresses: ['10.9.0.1'], cluster: '', metadata: { NAMESPACE: NS, CLUSTER_ID: 'Kubernetes' }, userAgent: 'envoy/1.30.1', clientFeatures: [] };
}

/** The real translator, counting full and incremental EDS builds. */
function counted(): { translator: Translator; calls: { full: number; incremental: string[][] } } {
  const real = istioTranslator();
  const calls = { full: 0, incremental: [] as string[][] };
  const translator: Translator = {
    ...real,
    translate(push, proxy, types) {
      if (!types || types.has(TYPE_URL.endpoint)) calls.full++;
      return real.translate(push, proxy, types);
    },
    translateEndpoints(push, proxy, hostnames) {
      calls.incremental.push([...hostnames]);
      return real.translateEndpoints!(push, proxy, hostnames);
    },
  };
  return { translator, calls };
}

const addresses = (eds: TypeResources, cluster: string) => JSON.stringify(eds.get(cluster)?.resource ?? null);
const A = `outbound|80||${host('a')}`;
const A_V1 = `outbound|80|v1|${host('a')}`;
const A_V2 = `outbound|80|v2|${host('a')}`;
const B = `outbound|80||${host('b')}`;

describe('incremental EDS (endpoint-only pushes)', () => {
  beforeAll(() => loadMoreEnvoyProtos([...ENVOY_PROTOS_FOR_TRANSLATION]));
  const services = [service('a'), service('b'), service('c')];
  const baseEndpoints = [endpoint('a', '10.1.0.1', 'v1'), endpoint('b', '10.2.0.1', 'v1'), endpoint('c', '10.3.0.1', 'v1')];
  const build = (endpoints: ServiceEndpoint[], configs: IstioResource[], version: string) => PushContext.build({ services, endpoints, configs, version });

  it('rebuilds only the changed service: B keeps its CLA object and encoding, A and its subsets get the new endpoint', async () => {
    const { translator, calls } = counted();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(build(baseEndpoints, [rule(['v1', 'v2'])], '1'), undefined);
    const before = (await source.snapshotFor(sidecar('p1'))).get(TYPE_URL.endpoint)!;
    expect([...before.keys()]).toEqual(expect.arrayContaining([A, A_V1, A_V2, B]));
    expect(calls.full).toBe(1);

    // A gains a v2 endpoint.
    const moved = [...baseEndpoints, endpoint('a', '10.1.0.2', 'v2')];
    source.setPush(build(moved, [rule(['v1', 'v2'])], '2'), endpointPush(NS, [host('a')]));
    const after = (await source.snapshotFor(sidecar('p1'), new Set([TYPE_URL.endpoint]))).get(TYPE_URL.endpoint)!;
    expect(calls.full).toBe(1);
    expect(calls.incremental).toEqual([[host('a')]]);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(after.get(B)).toBe(before.get(B));
    expect(after.get(B)!.resource).toBe(before.get(B)!.resource);
    expect(after.get(A_V1)).toBe(before.get(A_V1)); // the v1 subset did not change
    expect(addresses(after, A)).toContain('10.1.0.2');
    expect(addresses(after, A_V2)).toContain('10.1.0.2');
    expect(addresses(before, A_V2)).not.toContain('10.1.0.2');
    expect(after.get(A)!.version).not.toBe(before.get(A)!.version);

    // What a full rebuild of the same push gives, resource by resource (content and encoding).
    const fresh = new PilotSnapshotSource(istioTranslator(), silentLogger());
    fresh.setPush(build(moved, [rule(['v1', 'v2'])], '2'), undefined);
    const full = (await fresh.snapshotFor(sidecar('p1'))).get(TYPE_URL.endpoint)!;
    expect([...full.keys()]).toEqual([...after.keys()]);
    for (const [name, r] of full) expect(after.get(name)!.version, name).toBe(r.version);

    // Another proxy of the same key shares it; nothing is translated again.
    const other = (await source.snapshotFor(sidecar('p2'), new Set([TYPE_URL.endpoint]))).get(TYPE_URL.endpoint)!;
    expect(other).toBe(after);
    expect(calls.incremental).toHaveLength(1);
  });

  it('carries the changed services across endpoint pushes no proxy asked for in between', async () => {
    const { translator, calls } = counted();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(build(baseEndpoints, [], '1'), undefined);
    const before = (await source.snapshotFor(sidecar('p1'))).get(TYPE_URL.endpoint)!;
    const eps2 = [endpoint('a', '10.1.0.9', 'v1'), ...baseEndpoints.slice(1)];
    source.setPush(build(eps2, [], '2'), endpointPush(NS, [host('a')]));
    const eps3 = [eps2[0]!, endpoint('b', '10.2.0.9', 'v1'), eps2[2]!];
    source.setPush(build(eps3, [], '3'), endpointPush(NS, [host('b')]));
    const after = (await source.snapshotFor(sidecar('p1'), new Set([TYPE_URL.endpoint]))).get(TYPE_URL.endpoint)!;
    expect(calls.incremental.map((h) => h.sort())).toEqual([[host('a'), host('b')].sort()]);
    expect(addresses(after, A)).toContain('10.1.0.9');
    expect(addresses(after, B)).toContain('10.2.0.9');
    const C = `outbound|80||${host('c')}`;
    expect(after.get(C)).toBe(before.get(C));
  });

  it('a DestinationRule change (full push) rebuilds all EDS: new subsets appear, removed ones go', async () => {
    const { translator, calls } = counted();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(build(baseEndpoints, [rule(['v1'])], '1'), undefined);
    const before = (await source.snapshotFor(sidecar('p1'))).get(TYPE_URL.endpoint)!;
    expect(before.has(A_V2)).toBe(false);
    source.setPush(build(baseEndpoints, [rule(['v2'])], '2'), fullPush(TriggerReason.ConfigUpdate, [`DestinationRule/${NS}/a`]));
    const after = (await source.snapshotFor(sidecar('p1'))).get(TYPE_URL.endpoint)!;
    expect(calls.full).toBe(2);
    expect(calls.incremental).toEqual([]);
    expect(after.has(A_V2)).toBe(true);
    expect(after.has(A_V1)).toBe(false);
    // A following endpoint push builds on the rebuilt EDS.
    source.setPush(build([...baseEndpoints, endpoint('a', '10.1.0.3', 'v2')], [rule(['v2'])], '3'), endpointPush(NS, [host('a')]));
    const next = (await source.snapshotFor(sidecar('p1'), new Set([TYPE_URL.endpoint]))).get(TYPE_URL.endpoint)!;
    expect(calls.incremental).toHaveLength(1);
    expect(addresses(next, A_V2)).toContain('10.1.0.3');
    expect(next.get(B)).toBe(after.get(B));
  });

  it('falls back to the full EDS build when the push does not name its services', async () => {
    const { translator, calls } = counted();
    const source = new PilotSnapshotSource(translator, silentLogger());
    source.setPush(build(baseEndpoints, [], '1'), undefined);
    await source.snapshotFor(sidecar('p1'));
    source.setPush(build(baseEndpoints, [], '2'), { full: false, reason: { [TriggerReason.EndpointUpdate]: 1 }, start: 0 });
    await source.snapshotFor(sidecar('p1'), new Set([TYPE_URL.endpoint]));
    expect(calls.incremental).toEqual([]);
    expect(calls.full).toBe(2);
  });
});
