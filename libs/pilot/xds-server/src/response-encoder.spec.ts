import { describe, expect, it } from 'vitest';
import { TYPE_URL, adsServiceDefinition, packAny } from '@sextant/proto';
import { encodeDeltaBody, encodeDeltaTail, encodeDiscoveryResponse } from './response-encoder';

const service = adsServiceDefinition().service as unknown as Record<string, { responseSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): unknown }>;
const generic = (adsServiceDefinition().service as unknown as Record<string, { responseSerialize(v: unknown): Buffer }>)['StreamAggregatedResources']!.responseSerialize;
const cluster = (name: string) => packAny(TYPE_URL.cluster, { name, type: 'EDS', connectTimeout: { seconds: '1', nanos: 0 } });

describe('encodeDiscoveryResponse', () => {
  it('produces the same bytes as the generic serializer', () => {
    const big = packAny(TYPE_URL.cluster, { name: 'x'.repeat(300), altStatName: 'y'.repeat(70_000) });
    const cases = [
      { versionInfo: 'v1', typeUrl: TYPE_URL.cluster, nonce: 'n-1', resources: [cluster('a'), cluster('b'), big] },
      { versionInfo: '', typeUrl: TYPE_URL.cluster, nonce: 'n-2', resources: [], controlPlane: { identifier: 'pilot@127.0.0.1' } },
      { versionInfo: 'empty', typeUrl: TYPE_URL.route, nonce: 'n-3', controlPlane: {} },
      { typeUrl: TYPE_URL.listener, nonce: 'n-4', resources: [packAny(TYPE_URL.listener, { name: 'l' })] },
    ];
    for (const c of cases) expect(encodeDiscoveryResponse(c)!.equals(generic(c))).toBe(true);
    // Cached per Any: a second response with the same resources is the same bytes again.
    expect(encodeDiscoveryResponse(cases[0])!.equals(generic(cases[0]))).toBe(true);
  });

  it('leaves what it does not recognise to the generic serializer', () => {
    expect(encodeDiscoveryResponse({ versionInfo: 'v', canary: true })).toBeUndefined();
    expect(encodeDiscoveryResponse({ resources: [{ typeUrl: 'x', value: Buffer.alloc(1) }] })).toBeUndefined();
    expect(encodeDiscoveryResponse({ nonce: 7 })).toBeUndefined();
    expect(encodeDiscoveryResponse(null)).toBeUndefined();
  });
});

describe('delta response encoding', () => {
  it('body + tail decode as the generic delta response with the same fields', () => {
    const a = cluster('a');
    const b = cluster('b');
    const keyA = {};
    const body = encodeDeltaBody('sys-1', [
      { key: keyA, name: 'a', version: 'va', any: a },
      { key: {}, name: 'b', version: 'vb', any: b },
    ], TYPE_URL.cluster);
    const bytes = Buffer.concat([body, encodeDeltaTail('n-9', ['gone-1', 'gone-2'], 'pilot@x')]);
    const delta = service['DeltaAggregatedResources']!;
    const decoded = delta.responseDeserialize(bytes) as { systemVersionInfo: string; typeUrl: string; nonce: string; removedResources: string[]; controlPlane: { identifier: string }; resources: { name: string; version: string; resource: { value: Buffer } }[] };
    expect(decoded).toMatchObject({ systemVersionInfo: 'sys-1', typeUrl: TYPE_URL.cluster, nonce: 'n-9', removedResources: ['gone-1', 'gone-2'], controlPlane: { identifier: 'pilot@x' } });
    expect(decoded.resources.map((r) => [r.name, r.version])).toEqual([['a', 'va'], ['b', 'vb']]);
    expect(Buffer.from(decoded.resources[0]!.resource.value).equals(a.value)).toBe(true);
    // The same bytes as the generic serializer for the same response.
    const same = { systemVersionInfo: 'sys-1', resources: [{ version: 'va', resource: a, name: 'a' }, { version: 'vb', resource: b, name: 'b' }], typeUrl: TYPE_URL.cluster, nonce: 'n-9', removedResources: ['gone-1', 'gone-2'], controlPlane: { identifier: 'pilot@x' } };
    expect(bytes.equals(delta.responseSerialize(same))).toBe(true);
    // A renamed or re-versioned entry of the same resource object is encoded again.
    const again = encodeDeltaBody('sys-1', [{ key: keyA, name: 'a2', version: 'va', any: a }], TYPE_URL.cluster);
    expect((delta.responseDeserialize(Buffer.concat([again, encodeDeltaTail('n', [])])) as { resources: { name: string }[] }).resources[0]!.name).toBe('a2');
  });
});
