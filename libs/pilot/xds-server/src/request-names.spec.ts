import { describe, expect, it } from 'vitest';
import { TYPE_URL, adsServiceDefinition, type DiscoveryRequest, type DiscoveryRequest__Output } from '@sextant/proto';
import { namesRun, sharedNamesDeserializer } from './request-names';

type Method = { requestSerialize: (r: DiscoveryRequest) => Buffer; requestDeserialize: (b: Buffer) => DiscoveryRequest__Output };
const sotw = (adsServiceDefinition().service as unknown as Record<string, Method>)['StreamAggregatedResources']!;
const names = Array.from({ length: 200 }, (_, i) => `outbound|8080||svc-${i}.ns-${i % 10}.svc.cluster.local`);
const ack = (nonce: string, resourceNames: string[], extra: Partial<DiscoveryRequest> = {}) =>
  sotw.requestSerialize({ typeUrl: TYPE_URL.endpoint, versionInfo: `v-${nonce}`, responseNonce: nonce, resourceNames, ...extra });

describe('sharedNamesDeserializer', () => {
  it('decodes exactly what the generic deserializer decodes, sharing the names array of a repeated subscription', () => {
    const decode = sharedNamesDeserializer(sotw.requestDeserialize);
    const first = decode(ack('1', names));
    const second = decode(ack('2', names, { errorDetail: { code: 3, message: 'bad cluster', details: [] } }));
    expect(first).toEqual(sotw.requestDeserialize(ack('1', names)));
    expect(second).toEqual(sotw.requestDeserialize(ack('2', names, { errorDetail: { code: 3, message: 'bad cluster', details: [] } })));
    expect(second.resourceNames).toBe(first.resourceNames);
    expect(second.responseNonce).toBe('2');
    expect(Object.isFrozen(second.resourceNames)).toBe(true);
    // Another list (one name differs) is decoded afresh.
    const other = decode(ack('3', [...names.slice(0, -1), 'outbound|8080||other.ns-0.svc.cluster.local']));
    expect(other.resourceNames).not.toBe(first.resourceNames);
    expect(other.resourceNames.at(-1)).toBe('outbound|8080||other.ns-0.svc.cluster.local');
    // A known list followed by more names is not that list.
    const longer = decode(ack('4', [...names, 'outbound|8080||extra.ns-1.svc.cluster.local']));
    expect(longer.resourceNames).toHaveLength(201);
    expect(longer).toEqual(sotw.requestDeserialize(ack('4', [...names, 'outbound|8080||extra.ns-1.svc.cluster.local'])));
    // The known list again, after the others: still the first array.
    expect(decode(ack('5', names)).resourceNames).toBe(first.resourceNames);
    // Names split around another field are decoded as usual, all of them.
    const run = namesRun(ack('6', names))!;
    const buf = ack('6', names);
    const split = Buffer.concat([buf.subarray(0, run.end), Buffer.from([0x22, 0x01, 0x78]), buf.subarray(run.start, run.start + 2 + Buffer.byteLength(names[0]!))]);
    const decoded = decode(split);
    expect(decoded).toEqual(sotw.requestDeserialize(split));
    expect(decoded.resourceNames).toHaveLength(201);
  });

  it('leaves short lists and requests without names to the generic deserializer', () => {
    const decode = sharedNamesDeserializer(sotw.requestDeserialize);
    const a = decode(ack('1', ['8080']));
    const b = decode(ack('2', ['8080']));
    expect(a.resourceNames).toEqual(['8080']);
    expect(b.resourceNames).not.toBe(a.resourceNames);
    expect(decode(ack('3', [])).resourceNames).toEqual([]);
  });

  it('finds the names run only when it is contiguous and well formed', () => {
    const buf = ack('1', names);
    const run = namesRun(buf)!;
    expect(run.end - run.start).toBeGreaterThan(200 * 40);
    // Field 3 after field 4 after field 3: not one run.
    const split = Buffer.concat([buf.subarray(run.start, run.start + 2 + Buffer.byteLength(names[0]!)), Buffer.from([0x22, 0x01, 0x78]), buf.subarray(run.start)]);
    expect(namesRun(split)).toBeUndefined();
    expect(namesRun(Buffer.from([0x1a, 0x7f]))).toBeUndefined(); // length past the end
    expect(namesRun(Buffer.from([0x0a, 0x01, 0x41]))).toBeUndefined(); // no names
  });
});
