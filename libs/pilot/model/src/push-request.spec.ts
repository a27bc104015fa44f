import { describe, expect, it } from 'vitest';
import { endpointPush, fullPush, mergePushRequests, servicesUpdated, TriggerReason } from './push-request';
import { protocolFromPort } from './protocol';
import { parseDurationMs } from './durations';

describe('PushRequest', () => {
  it('merges: full wins, configs union, reasons add up, earliest start stays', () => {
    const a = endpointPush('default', ['reviews.default.svc.cluster.local'], 200);
    const b = fullPush(TriggerReason.ConfigUpdate, ['VirtualService/default/reviews'], 100);
    const m = mergePushRequests(a, b)!;
    expect(m.full).toBe(true);
    expect([...m.configsUpdated!].sort()).toEqual(['Service/default/reviews.default.svc.cluster.local', 'VirtualService/default/reviews']);
    expect(m.reason).toEqual({ endpoint: 1, config: 1 });
    expect(m.start).toBe(100);
    expect(servicesUpdated(m)).toEqual(new Set(['reviews.default.svc.cluster.local']));
  });

  it('an unbounded request absorbs named ones', () => {
    const m = mergePushRequests(fullPush(TriggerReason.GlobalUpdate), endpointPush('ns', ['x']))!;
    expect(m.configsUpdated).toBeUndefined();
    expect(mergePushRequests(undefined, m)).toBe(m);
  });
});

describe('protocols and durations', () => {
  it('reads protocols from port names and appProtocol', () => {
    expect(protocolFromPort('http-web')).toBe('HTTP');
    expect(protocolFromPort('grpc')).toBe('GRPC');
    expect(protocolFromPort('tcp-db')).toBe('TCP');
    expect(protocolFromPort('web', 'kubernetes.io/h2c')).toBe('HTTP2');
    expect(protocolFromPort('mystery')).toBe('UnsupportedProtocol');
  });
  it('parses durations', () => {
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('1h2m')).toBe(3_720_000);
    expect(parseDurationMs('100ms')).toBe(100);
    expect(() => parseDurationMs('ten')).toThrow();
  });
});
