import { describe, expect, it } from 'vitest';
import { hostIsSubsetOf, hostsOverlap, isShortHost, keyOf, parseResourceKey, resolveHost, resourceKey } from './identity';

describe('resource identity', () => {
  it('keys round-trip, dots in names included', () => {
    const key = resourceKey('VirtualService', 'default', 'reviews.v1');
    expect(key).toBe('VirtualService/default/reviews.v1');
    expect(parseResourceKey(key)).toEqual({ kind: 'VirtualService', namespace: 'default', name: 'reviews.v1' });
    expect(parseResourceKey('VirtualService//x')).toEqual({ kind: 'VirtualService', namespace: '', name: 'x' });
    expect(parseResourceKey('nonsense')).toBeUndefined();
    expect(keyOf({ kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' } })).toBe('Gateway/istio-system/gw');
  });
});

describe('host names', () => {
  it('resolves short names relative to the namespace', () => {
    expect(resolveHost('reviews', 'default')).toBe('reviews.default.svc.cluster.local');
    expect(resolveHost('reviews', 'prod', 'corp.example')).toBe('reviews.prod.svc.corp.example');
    for (const host of ['reviews.prod', 'reviews.default.svc.cluster.local', '*', '*.example.com', '10.0.0.1', '2001:db8::1']) {
      expect(resolveHost(host, 'default')).toBe(host);
    }
    expect(isShortHost('reviews')).toBe(true);
    expect(isShortHost('reviews.prod')).toBe(false);
  });

  it('matches wildcards as Istio does', () => {
    expect(hostsOverlap('*.example.com', 'a.example.com')).toBe(true);
    expect(hostsOverlap('*.com', '*.example.com')).toBe(true);
    expect(hostsOverlap('a.example.com', 'b.example.com')).toBe(false);
    expect(hostIsSubsetOf('a.example.com', '*.example.com')).toBe(true);
    expect(hostIsSubsetOf('*.example.com', 'a.example.com')).toBe(false);
    expect(hostIsSubsetOf('*.a.example.com', '*.example.com')).toBe(true);
  });
});
