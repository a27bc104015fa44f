// Test PKI and Envoy-shaped TLS transport sockets (not part of the public
// surface): a CA and SPIFFE leaf certificates signed with node-forge over
// keys from node:crypto, and the transport sockets Pilot emits for mesh
// mTLS (README §1 of libs/pilot/security) and auto mTLS.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import forge from 'node-forge';
import { StaticSecretProvider } from './secrets';

export interface TestCa {
  certPem: string;
  keyPem: string;
}

export interface TestLeaf {
  certPem: string;
  keyPem: string;
}

function rsaKey(): { keyPem: string; key: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { keyPem, key, pub: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function serial(): string {
  // A positive DER INTEGER without a leading zero byte (first byte 0x01-0x7f): a 0x00 first byte is "illegal padding".
  const b = randomBytes(12);
  b[0] = 1 + (b[0]! % 0x7f);
  return b.toString('hex');
}

export function createTestCa(commonName = 'Sextant Test CA'): TestCa {
  const { keyPem, key, pub } = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  const attrs = [{ name: 'organizationName', value: 'sextant.test' }, { name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface LeafOptions {
  /** URI SANs, e.g. spiffe://cluster.local/ns/default/sa/reviews. */
  uris?: string[];
  dns?: string[];
  ips?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

export function issueLeaf(ca: TestCa, o: LeafOptions): TestLeaf {
  const { keyPem, pub } = rsaKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: 'organizationName', value: 'sextant.test' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...(o.uris ?? []).map((value) => ({ type: 6, value })), ...(o.dns ?? []).map((value) => ({ type: 2, value })), ...(o.ips ?? []).map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames, critical: (o.dns ?? []).length === 0 },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export function spiffe(ns: string, sa: string, td = 'cluster.local'): string {
  return `spiffe://${td}/ns/${ns}/sa/${sa}`;
}

/** A provider holding a workload's `default` certificate and the mesh `ROOTCA`. */
export function meshSecrets(ca: TestCa, leaf: TestLeaf, roots: string = ca.certPem): StaticSecretProvider {
  const p = new StaticSecretProvider();
  p.set('default', { kind: 'tlsCertificate', certChainPem: leaf.certPem + ca.certPem, privateKeyPem: leaf.keyPem });
  p.set('ROOTCA', { kind: 'validationContext', trustedCaPem: roots });
  return p;
}

const ADS = { ads: {}, resourceApiVersion: 'V3' };
const RAW_BUFFER = { name: 'envoy.transport_sockets.raw_buffer', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } };

/** The inbound mTLS transport socket of README §1 (libs/pilot/security). */
export function inboundMtlsSocket(protocol: 'http' | 'tcp', trustDomain = 'cluster.local'): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': EXTENSION_TYPE_URL.downstreamTlsContext,
      commonTlsContext: {
        tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3', cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-GCM-SHA256'] },
        alpnProtocols: protocol === 'http' ? ['h2', 'http/1.1'] : ['istio-peer-exchange', 'h2', 'http/1.1'],
        tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ADS }],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: [{ prefix: `spiffe://${trustDomain}/` }] },
          validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ADS },
        },
      },
      requireClientCertificate: { value: true },
    },
  };
}

/** Istio's ISTIO_MUTUAL client transport socket (libs/pilot/translate tls-builder). */
export function istioMutualSocket(sni: string, serviceAccounts: string[], http: boolean): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': EXTENSION_TYPE_URL.upstreamTlsContext,
      commonTlsContext: {
        tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ADS }],
        combinedValidationContext: {
          defaultValidationContext: serviceAccounts.length ? { matchSubjectAltNames: serviceAccounts.map((exact) => ({ exact })) } : {},
          validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ADS },
        },
        alpnProtocols: http ? ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'] : ['istio-peer-exchange', 'istio'],
      },
      sni,
    },
  };
}

/** Auto mTLS: ISTIO_MUTUAL to endpoints labelled tlsMode=istio, plaintext to the rest. */
export function autoMtlsMatches(sni: string, serviceAccounts: string[], http: boolean): object[] {
  return [
    { name: 'tlsMode-istio', match: { fields: { tlsMode: { stringValue: 'istio' } } }, transportSocket: istioMutualSocket(sni, serviceAccounts, http) },
    { name: 'tlsMode-disabled', match: {}, transportSocket: RAW_BUFFER },
  ];
}

/** Endpoint metadata of auto mTLS. */
export function tlsModeMetadata(mode: 'istio' | 'disabled'): object {
  return { metadata: { filterMetadata: { 'envoy.transport_socket_match': { fields: { tlsMode: { stringValue: mode } } } } } };
}

/** The chains of one inbound port in a mode (README §1): STRICT, PERMISSIVE or DISABLE. */
export function inboundChains(port: number, mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE', filters: object[], protocol: 'http' | 'tcp'): object[] {
  const name = `inbound_0.0.0.0_${port}`;
  const plain = { name, filterChainMatch: { destinationPort: { value: port }, transportProtocol: 'raw_buffer' }, filters };
  const mtlsMatch: Record<string, unknown> = { destinationPort: { value: port }, transportProtocol: 'tls' };
  if (mode === 'PERMISSIVE') mtlsMatch['applicationProtocols'] = ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
  const mtls = { name: `${name}-mtls`, filterChainMatch: mtlsMatch, filters, transportSocket: inboundMtlsSocket(protocol) };
  if (mode === 'DISABLE') return [plain];
  if (mode === 'STRICT') return [mtls];
  const out = [mtls, plain];
  if (protocol === 'tcp') out.splice(1, 0, { name: `${name}-tls`, filterChainMatch: { destinationPort: { value: port }, transportProtocol: 'tls' }, filters });
  return out;
}
