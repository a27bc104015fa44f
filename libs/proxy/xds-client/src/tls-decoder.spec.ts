import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { redactPrivateKeys } from './config-dump';
import { decodeEnvoyResource } from './decode-envoy';
import type { Decoded } from './decode-support';
import { edsCluster, httpListener } from './spec-fixtures';

const RAW = { name: 'envoy.transport_sockets.raw_buffer', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } };
const ADS = { ads: {}, resourceApiVersion: 'V3' };

function ok<T>(d: Decoded<T>): T {
  if (!d.valid) throw new Error(`expected valid, got ${d.errors.join('; ')}`);
  return d.value;
}
function errors<T>(d: Decoded<T>): string {
  if (d.valid) throw new Error('expected invalid');
  return d.errors.join('\n');
}

/** The inbound mTLS context of README §1 (libs/pilot/security). */
function meshDownstream(extra: object = {}): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': EXTENSION_TYPE_URL.downstreamTlsContext,
      commonTlsContext: {
        tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3', cipherSuites: ['[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]', 'ECDHE-RSA-AES256-GCM-SHA384'] },
        alpnProtocols: ['h2', 'http/1.1'],
        tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ADS }],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: [{ prefix: 'spiffe://cluster.local/' }] },
          validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ADS },
        },
      },
      requireClientCertificate: { value: true },
      ...extra,
    },
  };
}

/** Istio's client side of auto mTLS (libs/pilot/translate tls-builder). */
function meshUpstream(common: object = {}, extra: object = {}): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': EXTENSION_TYPE_URL.upstreamTlsContext,
      commonTlsContext: {
        tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ADS }],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: [{ exact: 'spiffe://cluster.local/ns/default/sa/reviews' }] },
          validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ADS },
        },
        alpnProtocols: ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'],
        ...common,
      },
      sni: 'outbound_.9080_._.reviews.default.svc.cluster.local',
      ...extra,
    },
  };
}

function tlsListener(chainExtra: object, match: object = { transportProtocol: 'tls' }): object {
  const l = httpListener(9080) as { filterChains: object[] };
  return { ...l, filterChains: [{ ...(l.filterChains[0] as object), filterChainMatch: match, transportSocket: meshDownstream(), ...chainExtra }, { ...(l.filterChains[0] as object), filterChainMatch: { transportProtocol: 'raw_buffer' } }] };
}

describe('DownstreamTlsContext', () => {
  it('decodes the mesh mTLS context: SDS certificate and roots, SAN prefix, client certificate required, ALPN and TLS params', () => {
    const v = ok(decodeEnvoyResource('listener', tlsListener({})).result);
    expect(v.filterChains[1]!.tls).toBeUndefined();
    expect(v.filterChains[0]!.tls).toEqual({
      kind: 'downstream',
      requireClientCertificate: true,
      requireSni: false,
      common: {
        certificate: { kind: 'sds', name: 'default' },
        validation: { trust: { kind: 'sds', name: 'ROOTCA' }, sanMatchers: [{ type: 'ANY', match: { kind: 'prefix', value: 'spiffe://cluster.local/', ignoreCase: false } }], certificateHashes: [], allowExpired: false },
        alpn: ['h2', 'http/1.1'],
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
        ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384',
        ecdhCurves: '',
        secretNames: ['default', 'ROOTCA'],
      },
    });
  });

  it('decodes file and inline certificates, a trusted CA file and typed SAN matchers', () => {
    const ts = {
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': EXTENSION_TYPE_URL.downstreamTlsContext,
        commonTlsContext: {
          tlsCertificates: [{ certificateChain: { filename: '/etc/certs/cert.pem' }, privateKey: { inlineString: 'KEY' } }],
          validationContext: { trustedCa: { filename: '/etc/certs/ca.pem' }, matchTypedSubjectAltNames: [{ sanType: 'DNS', matcher: { suffix: '.example.com' } }], verifyCertificateHash: ['AB:CD'] },
        },
        requireSni: { value: true },
      },
    };
    const v = ok(decodeEnvoyResource('listener', tlsListener({ transportSocket: ts })).result);
    expect(v.filterChains[0]!.tls).toMatchObject({
      requireClientCertificate: false,
      requireSni: true,
      common: {
        certificate: { kind: 'static', certChain: { kind: 'file', path: '/etc/certs/cert.pem' }, privateKey: { kind: 'inline', pem: 'KEY' } },
        validation: { trust: { kind: 'pem', source: { kind: 'file', path: '/etc/certs/ca.pem' } }, sanMatchers: [{ type: 'DNS', match: { kind: 'suffix', value: '.example.com' } }], certificateHashes: ['abcd'] },
      },
    });
  });

  it('NACKs what it cannot honour, naming the field', () => {
    const noCert = { name: 'envoy.transport_sockets.tls', typedConfig: { '@type': EXTENSION_TYPE_URL.downstreamTlsContext, commonTlsContext: {}, requireClientCertificate: { value: true } } };
    const text = errors(decodeEnvoyResource('listener', tlsListener({ transportSocket: noCert })).result);
    expect(text).toMatch(/filterChains\[0\]\.transportSocket\.typedConfig\.commonTlsContext: a downstream TLS context needs a certificate/);
    expect(text).toMatch(/requireClientCertificate: requiring a client certificate needs a validation context/);
    const crl = meshDownstream();
    (crl as { typedConfig: { commonTlsContext: { combinedValidationContext: { defaultValidationContext: object } } } }).typedConfig.commonTlsContext.combinedValidationContext.defaultValidationContext = { crl: { filename: '/crl.pem' } };
    expect(errors(decodeEnvoyResource('listener', tlsListener({ transportSocket: crl })).result)).toMatch(/defaultValidationContext\.crl: certificate revocation lists are not supported/);
    expect(errors(decodeEnvoyResource('listener', tlsListener({ transportSocket: meshUpstream() })).result)).toMatch(/transport socket envoy.transport_sockets.tls \(envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext\) is not supported on listeners/);
    expect(errors(decodeEnvoyResource('listener', tlsListener({}, { transportProtocol: 'raw_buffer', destinationPort: { value: 9080 } })).result)).toMatch(/cannot match raw_buffer/);
  });
});

describe('UpstreamTlsContext', () => {
  it('decodes Istio auto-mTLS transport socket matches and endpoint tlsMode metadata', () => {
    const c = ok(decodeEnvoyResource('cluster', edsCluster('c', { transportSocketMatches: [{ name: 'tlsMode-istio', match: { fields: { tlsMode: { stringValue: 'istio' } } }, transportSocket: meshUpstream() }, { name: 'tlsMode-disabled', match: {}, transportSocket: RAW }] })).result);
    expect(c.tls).toBeUndefined();
    expect(c.transportSocketMatches).toEqual([
      {
        name: 'tlsMode-istio',
        match: { tlsMode: 'istio' },
        tls: {
          kind: 'upstream',
          sni: 'outbound_.9080_._.reviews.default.svc.cluster.local',
          common: expect.objectContaining({
            certificate: { kind: 'sds', name: 'default' },
            validation: { trust: { kind: 'sds', name: 'ROOTCA' }, sanMatchers: [{ type: 'ANY', match: { kind: 'exact', value: 'spiffe://cluster.local/ns/default/sa/reviews', ignoreCase: false } }], certificateHashes: [], allowExpired: false },
            alpn: ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'],
          }),
        },
      },
      { name: 'tlsMode-disabled', match: {}, tls: undefined },
    ]);
    const la = ok(
      decodeEnvoyResource('endpoint', {
        clusterName: 'c',
        endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 80 } } }, metadata: { filterMetadata: { 'envoy.transport_socket_match': { fields: { tlsMode: { stringValue: 'istio' } } } } } }] }],
      }).result,
    );
    expect(la.localities[0]!.endpoints[0]!.socketMatch).toEqual({ tlsMode: 'istio' });
  });

  it('SIMPLE origination: no validation context verifies against the system roots; ACCEPT_UNTRUSTED must be explicit', () => {
    const simple = { name: 'envoy.transport_sockets.tls', typedConfig: { '@type': EXTENSION_TYPE_URL.upstreamTlsContext, commonTlsContext: {}, sni: 'api.example.com' } };
    expect(ok(decodeEnvoyResource('cluster', edsCluster('c', { transportSocket: simple })).result).tls).toMatchObject({ sni: 'api.example.com', common: { certificate: undefined, validation: { trust: { kind: 'system' } } } });
    const sansOnly = meshUpstream({ tlsCertificateSdsSecretConfigs: [], combinedValidationContext: undefined, validationContext: { matchSubjectAltNames: [{ exact: 'api.example.com' }] } });
    expect(ok(decodeEnvoyResource('cluster', edsCluster('c', { transportSocket: sansOnly })).result).tls?.common.validation).toMatchObject({ trust: { kind: 'system' }, sanMatchers: [{ type: 'ANY' }] });
    const skip = meshUpstream({ tlsCertificateSdsSecretConfigs: [], combinedValidationContext: undefined, validationContext: { trustChainVerification: 'ACCEPT_UNTRUSTED' } });
    expect(ok(decodeEnvoyResource('cluster', edsCluster('c', { transportSocket: skip })).result).tls?.common.validation?.trust).toBeUndefined();
    const mutual = meshUpstream({ tlsCertificateSdsSecretConfigs: [], combinedValidationContext: undefined, tlsCertificates: [{ certificateChain: { filename: '/c.pem' }, privateKey: { filename: '/k.pem' } }], validationContext: { trustedCa: { filename: '/ca.pem' } } });
    expect(ok(decodeEnvoyResource('cluster', edsCluster('c', { transportSocket: mutual })).result).tls?.common).toMatchObject({ certificate: { kind: 'static' }, validation: { trust: { kind: 'pem', source: { kind: 'file', path: '/ca.pem' } } } });
  });

  it('NACKs unsupported upstream TLS features', () => {
    const pi = meshUpstream({ tlsCertificateSdsSecretConfigs: [], tlsCertificateProviderInstance: { instanceName: 'default', certificateName: 'default' } });
    expect(errors(decodeEnvoyResource('cluster', edsCluster('c', { transportSocket: pi })).result)).toMatch(/Cluster\[c\]\.transportSocket\.typedConfig\.commonTlsContext\.tlsCertificateProviderInstance: certificate provider instances/);
    const env = meshUpstream({ tlsCertificateSdsSecretConfigs: [], tlsCertificates: [{ certificateChain: { environmentVariable: 'CERT' }, privateKey: { filename: '/k' } }] });
    expect(errors(decodeEnvoyResource('cluster', edsCluster('c', { transportSocketMatches: [{ name: 'm', transportSocket: env }] })).result)).toMatch(/transportSocketMatches\[0:m\]\.transportSocket\.typedConfig\.commonTlsContext\.tlsCertificates\[0\]\.certificateChain: data source environmentVariable is not supported/);
    const san = meshUpstream({ combinedValidationContext: { defaultValidationContext: { matchTypedSubjectAltNames: [{ sanType: 'OTHER_NAME', matcher: { exact: 'x' } }] }, validationContextSdsSecretConfig: { name: 'ROOTCA' } } });
    expect(errors(decodeEnvoyResource('cluster', edsCluster('c', { transportSocket: san })).result)).toMatch(/matchTypedSubjectAltNames\[0\]\.sanType: SAN type OTHER_NAME is not supported/);
  });
});

describe('config dump', () => {
  it('redacts private keys wherever they appear (secrets, inline listener and cluster certificates)', () => {
    const dumped = { filterChains: [{ transportSocket: { typedConfig: { commonTlsContext: { tlsCertificates: [{ certificateChain: { inlineString: 'CERT' }, privateKey: { inlineString: 'KEY' } }] } } } }], tlsCertificate: { privateKey: { inlineBytes: 'S0VZ' } } };
    expect(JSON.stringify(redactPrivateKeys(dumped))).not.toContain('KEY');
    expect(redactPrivateKeys(dumped)).toMatchObject({ filterChains: [{ transportSocket: { typedConfig: { commonTlsContext: { tlsCertificates: [{ certificateChain: { inlineString: 'CERT' }, privateKey: '[redacted]' }] } } } }], tlsCertificate: { privateKey: '[redacted]' } });
  });
});
