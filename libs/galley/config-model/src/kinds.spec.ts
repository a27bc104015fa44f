import { describe, expect, it } from 'vitest';
import { findKind, ISTIO_KINDS, lookupKind, matchKind, parseApiVersion } from './kinds';

describe('the list of kinds', () => {
  it('holds the nine Istio kinds with their versions', () => {
    expect(ISTIO_KINDS.map((k) => `${k.group}/${k.kind} ${k.versions.join(',')}`)).toEqual([
      'networking.istio.io/VirtualService v1,v1beta1,v1alpha3',
      'networking.istio.io/DestinationRule v1,v1beta1,v1alpha3',
      'networking.istio.io/Gateway v1,v1beta1,v1alpha3',
      'networking.istio.io/ServiceEntry v1,v1beta1,v1alpha3',
      'networking.istio.io/Sidecar v1,v1beta1,v1alpha3',
      'networking.istio.io/WorkloadEntry v1,v1beta1,v1alpha3',
      'security.istio.io/PeerAuthentication v1,v1beta1',
      'security.istio.io/AuthorizationPolicy v1,v1beta1',
      'security.istio.io/RequestAuthentication v1,v1beta1',
    ]);
    expect(ISTIO_KINDS.every((k) => k.namespaced && k.storageVersion === 'v1')).toBe(true);
  });

  it('resolves names a user types', () => {
    expect(lookupKind('vs')?.kind).toBe('VirtualService');
    expect(lookupKind('DestinationRules')?.kind).toBe('DestinationRule');
    expect(lookupKind('authorizationpolicy')?.kind).toBe('AuthorizationPolicy');
    expect(lookupKind('sidecars')?.kind).toBe('Sidecar');
    expect(lookupKind('deployment')).toBeUndefined();
    expect(findKind('virtualservice')).toBeUndefined();
  });

  it('matches apiVersion and kind', () => {
    expect(matchKind('networking.istio.io/v1alpha3', 'Gateway')).toMatchObject({ status: 'ok', version: 'v1alpha3' });
    expect(matchKind('security.istio.io/v1alpha3', 'PeerAuthentication').status).toBe('unsupported-version');
    expect(matchKind('security.istio.io/v1', 'Gateway').status).toBe('wrong-group');
    expect(matchKind('apps/v1', 'Deployment').status).toBe('unknown-kind');
    expect(parseApiVersion('v1')).toEqual({ group: '', version: 'v1' });
  });
});
