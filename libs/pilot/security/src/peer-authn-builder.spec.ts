import { describe, expect, it } from 'vitest';
import type { PeerAuthentication } from '@sextant/config-model';
import type { FilterChainObject } from '@sextant/translate';
import { applyPeerAuthentication, composePeerAuthentication, mtlsModeForPort, type MtlsMode } from './peer-authn-builder';

function pa(namespace: string, name: string, spec: PeerAuthentication['spec'], createdAt = '2024-01-01T00:00:00Z'): PeerAuthentication {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace, creationTimestamp: createdAt }, spec };
}
const mode = (m: MtlsMode | 'UNSET') => ({ mode: m });
const sel = { matchLabels: { app: 'x' } };

describe('composePeerAuthentication', () => {
  it('defaults to PERMISSIVE', () => {
    expect(composePeerAuthentication('istio-system', [])).toEqual({ mode: 'PERMISSIVE', perPort: new Map() });
  });
  it('workload > namespace > mesh; UNSET inherits', () => {
    const mesh = pa('istio-system', 'default', { mtls: mode('STRICT') });
    const ns = pa('foo', 'default', { mtls: mode('DISABLE') });
    const wl = pa('foo', 'x', { selector: sel, mtls: mode('PERMISSIVE') });
    expect(composePeerAuthentication('istio-system', [mesh]).mode).toBe('STRICT');
    expect(composePeerAuthentication('istio-system', [mesh, ns]).mode).toBe('DISABLE');
    expect(composePeerAuthentication('istio-system', [mesh, ns, wl]).mode).toBe('PERMISSIVE');
    expect(composePeerAuthentication('istio-system', [mesh, pa('foo', 'default', { mtls: mode('UNSET') })]).mode).toBe('STRICT');
    expect(composePeerAuthentication('istio-system', [mesh, pa('foo', 'x', { selector: sel })]).mode).toBe('STRICT');
  });
  it('the oldest policy of a level wins (input is oldest first)', () => {
    const older = pa('foo', 'a', { mtls: mode('STRICT') }, '2023-01-01T00:00:00Z');
    const newer = pa('foo', 'b', { mtls: mode('DISABLE') });
    expect(composePeerAuthentication('istio-system', [older, newer]).mode).toBe('STRICT');
  });
  it('ignores selector policies in the root namespace', () => {
    expect(composePeerAuthentication('istio-system', [pa('istio-system', 'gw', { selector: sel, mtls: mode('DISABLE') })]).mode).toBe('PERMISSIVE');
  });
  it('port level: overrides per workload port, UNSET takes the workload mode; only from the workload policy', () => {
    const merged = composePeerAuthentication('istio-system', [
      pa('foo', 'default', { mtls: mode('STRICT'), portLevelMtls: { '80': mode('DISABLE') } }),
      pa('foo', 'x', { selector: sel, portLevelMtls: { '8080': mode('DISABLE'), '9090': mode('UNSET'), bogus: mode('DISABLE') } }),
    ]);
    expect(merged.mode).toBe('STRICT');
    expect([...merged.perPort]).toEqual([
      [8080, 'DISABLE'],
      [9090, 'STRICT'],
    ]);
    expect(mtlsModeForPort(merged, 8080)).toBe('DISABLE');
    expect(mtlsModeForPort(merged, 80)).toBe('STRICT');
  });
});

describe('applyPeerAuthentication', () => {
  const sds = { ads: {}, resourceApiVersion: 'V3' };
  const opts = { trustDomain: 'cluster.local', trustDomainAliases: ['old.local'], sdsConfig: sds };
  const http: FilterChainObject = { name: 'inbound_0.0.0.0_80', filterChainMatch: { destinationPort: { value: 80 } }, filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: { '@type': 'hcm' } }] };
  const tcp: FilterChainObject = { name: 'inbound_0.0.0.0_90', filterChainMatch: { destinationPort: { value: 90 } }, filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': 'tcp' } }] };
  const summary = (chains: FilterChainObject[]) => chains.map((c) => [c.name, c.filterChainMatch?.transportProtocol, c.filterChainMatch?.applicationProtocols?.length ?? 0, c.transportSocket !== undefined]);

  it('STRICT: one mTLS chain', () => {
    expect(summary(applyPeerAuthentication([http], 'STRICT', opts))).toEqual([['inbound_0.0.0.0_80-mtls', 'tls', 0, true]]);
  });
  it('PERMISSIVE: mTLS by Istio ALPN plus plaintext; TCP also passes other TLS through', () => {
    expect(summary(applyPeerAuthentication([http], 'PERMISSIVE', opts))).toEqual([
      ['inbound_0.0.0.0_80-mtls', 'tls', 5, true],
      ['inbound_0.0.0.0_80', 'raw_buffer', 0, false],
    ]);
    expect(summary(applyPeerAuthentication([tcp], 'PERMISSIVE', opts))).toEqual([
      ['inbound_0.0.0.0_90-mtls', 'tls', 5, true],
      ['inbound_0.0.0.0_90-tls', 'tls', 0, false],
      ['inbound_0.0.0.0_90', 'raw_buffer', 0, false],
    ]);
  });
  it('DISABLE: plaintext only', () => {
    expect(summary(applyPeerAuthentication([tcp], 'DISABLE', opts))).toEqual([['inbound_0.0.0.0_90', 'raw_buffer', 0, false]]);
  });
  it('the TLS context: SDS default + ROOTCA, client cert required, SAN prefix per trust domain', () => {
    const [chain] = applyPeerAuthentication([http], 'STRICT', opts);
    expect(chain!.transportSocket).toEqual({
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
        commonTlsContext: {
          tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3', cipherSuites: expect.arrayContaining(['ECDHE-ECDSA-AES256-GCM-SHA384']) },
          alpnProtocols: ['h2', 'http/1.1'],
          tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: sds }],
          combinedValidationContext: {
            defaultValidationContext: { matchSubjectAltNames: [{ prefix: 'spiffe://cluster.local/' }, { prefix: 'spiffe://old.local/' }] },
            validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: sds },
          },
        },
        requireClientCertificate: { value: true },
      },
    });
  });
});
