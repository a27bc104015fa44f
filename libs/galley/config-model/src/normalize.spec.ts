import { describe, expect, it } from 'vitest';
import { findRemovedFields, normalizeResource, VERSION_CONVERTERS } from './normalize';
import type { Resource } from './resource';

const vs = (apiVersion: string, spec: Record<string, unknown>, metadata: Resource['metadata'] = { name: 'r' }): Resource => ({ apiVersion, kind: 'VirtualService', metadata, spec });

describe('normalizeResource', () => {
  it('converts every accepted version to v1 and defaults the namespace', () => {
    for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
      const out = normalizeResource(vs(`networking.istio.io/${version}`, { hosts: ['r'] }));
      expect(out).toEqual({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', namespace: 'default' }, spec: { hosts: ['r'] } });
    }
    expect(normalizeResource(vs('networking.istio.io/v1', {}), { defaultNamespace: 'shop' }).metadata.namespace).toBe('shop');
  });

  it('renames protobuf field names to JSON names, keeping the JSON one when both are set', () => {
    const out = normalizeResource(vs('networking.istio.io/v1', { http: [{ mirror_percent: 5 }, { mirror_percent: 1, mirrorPercent: 2 }, {}] }));
    expect(out.spec).toEqual({ http: [{ mirrorPercent: 5 }, { mirrorPercent: 2 }, {}] });
    const ra = normalizeResource({ apiVersion: 'security.istio.io/v1beta1', kind: 'RequestAuthentication', metadata: { name: 'a' }, spec: { jwtRules: [{ jwks_uri: 'https://x' }] } });
    expect(ra.spec).toEqual({ jwtRules: [{ jwksUri: 'https://x' }] });
  });

  it('drops fields Istio removed, and says where they were', () => {
    const spec = { http: [{ websocketUpgrade: true, route: [{ appendRequestHeaders: { a: 'b' } }] }] };
    expect(findRemovedFields('VirtualService', spec).map((u) => u.path)).toEqual(['spec.http[0].websocketUpgrade', 'spec.http[0].route[0].appendRequestHeaders']);
    expect(normalizeResource(vs('networking.istio.io/v1', spec)).spec).toEqual({ http: [{ route: [{}] }] });
  });

  it('applies a version converter when one is registered', () => {
    VERSION_CONVERTERS.Gateway = { v1alpha3: (spec) => ({ ...spec, converted: true }) };
    try {
      const out = normalizeResource({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'Gateway', metadata: { name: 'g' }, spec: {} });
      expect(out.spec).toEqual({ converted: true });
    } finally {
      delete VERSION_CONVERTERS.Gateway;
    }
  });

  it('does not modify its input and shares what it does not change', () => {
    const hosts = ['r'];
    const input = vs('networking.istio.io/v1alpha3', { hosts, http: [{ mirror_percent: 5 }] });
    const before = JSON.stringify(input);
    const out = normalizeResource(input);
    expect(JSON.stringify(input)).toBe(before);
    expect((out.spec as { hosts: string[] }).hosts).toBe(hosts);
  });

  it('throws on kinds and versions outside the list (a caller bug, not bad input)', () => {
    expect(() => normalizeResource({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} })).toThrow(TypeError);
    expect(() => normalizeResource(vs('networking.istio.io/v2', {}))).toThrow(/not an accepted version/);
  });
});
