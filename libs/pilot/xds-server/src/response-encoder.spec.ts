import { describe, expect, it } from 'vitest';
import { TYPE_URL, adsServiceDefinition, packAny } from '@sextant/proto';
import { encodeDiscoveryResponse } from './response-encoder';

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
