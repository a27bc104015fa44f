// Decoder of envoy.transport_sockets.tls: DownstreamTlsContext (listener
// filter chains) and UpstreamTlsContext (clusters and their
// transport_socket_matches) into plain TLS configs. SDS references become
// secret names the data plane resolves; what the proxy cannot honour is an
// error (the resource is NACKed) rather than a silently weaker connection.
import type { CommonTlsContext__Output, DownstreamTlsContext__Output, UpstreamTlsContext__Output } from '@sextant/proto';
import { anyTypeUrl, bool, typeName, unpack, type AnyLike, type Issues } from './decode-support';
import { decodeStringMatch, type StringMatcherMsg } from './matcher-decoder';
import type { CertificateSource, CommonTlsConfig, DownstreamTlsConfig, PemSource, SanMatcherConfig, TlsVersion, UpstreamTlsConfig, ValidationConfig } from './tls-types';

export const TLS_SOCKET_NAME = 'envoy.transport_sockets.tls';
export const RAW_BUFFER_TYPE = 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';
const DOWNSTREAM_TYPE = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const UPSTREAM_TYPE = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

type ValidationMsg = NonNullable<CommonTlsContext__Output['validationContext']>;
type DataSourceMsg = NonNullable<ValidationMsg['trustedCa']>;
type SdsMsg = CommonTlsContext__Output['tlsCertificateSdsSecretConfigs'][number];

export interface TransportSocketLike {
  name: string;
  typedConfig?: AnyLike | null;
}

/** Whether a transport socket is plaintext (absent, or raw_buffer). */
export function isRawBuffer(ts: TransportSocketLike | null | undefined): boolean {
  if (!ts) return true;
  const t = typeName(anyTypeUrl(ts.typedConfig));
  return t === RAW_BUFFER_TYPE || (t === '' && ts.name === 'envoy.transport_sockets.raw_buffer');
}

function pem(ds: DataSourceMsg | null | undefined, path: string, issues: Issues): PemSource | undefined {
  if (!ds) return undefined;
  switch (ds.specifier) {
    case 'filename':
      if (!ds.filename) issues.error(`${path}.filename`, 'empty file name');
      return { kind: 'file', path: ds.filename ?? '' };
    case 'inlineString':
      return { kind: 'inline', pem: ds.inlineString ?? '' };
    case 'inlineBytes':
      return { kind: 'inline', pem: Buffer.from(ds.inlineBytes ?? []).toString('utf8') };
    default:
      issues.error(path, `data source ${ds.specifier ?? '(none)'} is not supported (filename, inline_string, inline_bytes)`);
      return undefined;
  }
}

function sdsName(s: SdsMsg | null | undefined, path: string, issues: Issues): string | undefined {
  if (!s?.name) {
    issues.error(`${path}.name`, 'SDS secret config without a name (inline SDS secrets are not supported)');
    return undefined;
  }
  return s.name;
}

const SAN_TYPES: Record<string, SanMatcherConfig['type']> = { DNS: 'DNS', URI: 'URI', EMAIL: 'EMAIL', IP_ADDRESS: 'IP_ADDRESS' };

function decodeValidation(v: ValidationMsg | null | undefined, sds: string | undefined, path: string, issues: Issues): ValidationConfig {
  const out: ValidationConfig = { trust: sds ? { kind: 'sds', name: sds } : undefined, sanMatchers: [], certificateHashes: [], allowExpired: false };
  if (!v) return out;
  if (v.trustedCa) {
    if (sds) issues.warn(`${path}.trustedCa`, `ignored: the SDS validation context ${sds} supplies the trusted CA`);
    else {
      const src = pem(v.trustedCa, `${path}.trustedCa`, issues);
      if (src) out.trust = { kind: 'pem', source: src };
    }
  } else if (v.systemRootCerts && !sds) out.trust = { kind: 'system' };
  v.matchSubjectAltNames.forEach((m, i) => {
    const match = decodeStringMatch(m as StringMatcherMsg, `${path}.matchSubjectAltNames[${i}]`, issues);
    if (match) out.sanMatchers.push({ type: 'ANY', match });
  });
  v.matchTypedSubjectAltNames.forEach((m, i) => {
    const p = `${path}.matchTypedSubjectAltNames[${i}]`;
    const type = SAN_TYPES[String(m.sanType)];
    if (!type) {
      issues.error(`${p}.sanType`, `SAN type ${String(m.sanType)} is not supported (DNS, URI, EMAIL, IP_ADDRESS)`);
      return;
    }
    const match = decodeStringMatch(m.matcher as StringMatcherMsg, `${p}.matcher`, issues);
    if (match) out.sanMatchers.push({ type, match });
  });
  for (const h of v.verifyCertificateHash) out.certificateHashes.push(h.replace(/:/g, '').toLowerCase());
  if (v.verifyCertificateSpki.length) issues.error(`${path}.verifyCertificateSpki`, 'SPKI pinning is not supported (use verify_certificate_hash)');
  if (v.crl) issues.error(`${path}.crl`, 'certificate revocation lists are not supported');
  if (v.customValidatorConfig) issues.error(`${path}.customValidatorConfig`, `custom certificate validator ${v.customValidatorConfig.name} is not supported`);
  if (v.caCertificateProviderInstance) issues.error(`${path}.caCertificateProviderInstance`, 'certificate provider instances are for proxyless gRPC, not supported by the proxy');
  if (v.requireSignedCertificateTimestamp?.value) issues.error(`${path}.requireSignedCertificateTimestamp`, 'signed certificate timestamps are not supported');
  if (v.allowExpiredCertificate) out.allowExpired = true;
  if (String(v.trustChainVerification) === 'ACCEPT_UNTRUSTED') out.trust = undefined;
  return out;
}

const VERSIONS: Record<string, TlsVersion | undefined> = { TLS_AUTO: undefined, TLSv1_0: 'TLSv1', TLSv1_1: 'TLSv1.1', TLSv1_2: 'TLSv1.2', TLSv1_3: 'TLSv1.3' };

export function decodeCommonTlsContext(c: CommonTlsContext__Output | null | undefined, path: string, issues: Issues): CommonTlsConfig {
  const out: CommonTlsConfig = { certificate: undefined, validation: undefined, alpn: [], minVersion: undefined, maxVersion: undefined, ciphers: '', ecdhCurves: '', secretNames: [] };
  if (!c) return out;
  const certs: CertificateSource[] = [];
  c.tlsCertificates.forEach((t, i) => {
    const p = `${path}.tlsCertificates[${i}]`;
    if (t.privateKeyProvider) issues.error(`${p}.privateKeyProvider`, 'private key providers are not supported');
    if (t.password) issues.error(`${p}.password`, 'encrypted private keys are not supported');
    const chain = pem(t.certificateChain, `${p}.certificateChain`, issues);
    const key = pem(t.privateKey, `${p}.privateKey`, issues);
    if (!chain || !key) issues.error(p, 'a TLS certificate needs certificate_chain and private_key');
    else certs.push({ kind: 'static', certChain: chain, privateKey: key });
  });
  c.tlsCertificateSdsSecretConfigs.forEach((s, i) => {
    const name = sdsName(s, `${path}.tlsCertificateSdsSecretConfigs[${i}]`, issues);
    if (name) {
      certs.push({ kind: 'sds', name });
      out.secretNames.push(name);
    }
  });
  if (c.tlsCertificateProviderInstance || c.tlsCertificateCertificateProviderInstance || c.tlsCertificateCertificateProvider) {
    issues.error(`${path}.tlsCertificateProviderInstance`, 'certificate provider instances are for proxyless gRPC, not supported by the proxy');
  }
  if (certs.length > 1) issues.warn(`${path}.tlsCertificates`, `${certs.length} certificates configured; the first is used (no per-algorithm selection)`);
  out.certificate = certs[0];
  switch (c.validationContextType) {
    case 'validationContext':
      out.validation = decodeValidation(c.validationContext, undefined, `${path}.validationContext`, issues);
      if (!c.validationContext?.trustedCa && !c.validationContext?.systemRootCerts && String(c.validationContext?.trustChainVerification) !== 'ACCEPT_UNTRUSTED') out.validation.trust = { kind: 'system' };
      break;
    case 'validationContextSdsSecretConfig': {
      const name = sdsName(c.validationContextSdsSecretConfig, `${path}.validationContextSdsSecretConfig`, issues);
      if (name) out.secretNames.push(name);
      out.validation = decodeValidation(undefined, name, `${path}.validationContextSdsSecretConfig`, issues);
      break;
    }
    case 'combinedValidationContext': {
      const cv = c.combinedValidationContext;
      const p = `${path}.combinedValidationContext`;
      const name = sdsName(cv?.validationContextSdsSecretConfig, `${p}.validationContextSdsSecretConfig`, issues);
      if (name) out.secretNames.push(name);
      out.validation = decodeValidation(cv?.defaultValidationContext, name, `${p}.defaultValidationContext`, issues);
      if (cv?.validationContextCertificateProviderInstance || cv?.validationContextCertificateProvider) issues.error(p, 'certificate provider instances are not supported by the proxy');
      break;
    }
    case undefined:
      break;
    default:
      issues.error(`${path}.${c.validationContextType}`, 'certificate provider instances are for proxyless gRPC, not supported by the proxy');
  }
  out.alpn = [...c.alpnProtocols];
  const tp = c.tlsParams;
  if (tp) {
    const min = String(tp.tlsMinimumProtocolVersion ?? 'TLS_AUTO');
    const max = String(tp.tlsMaximumProtocolVersion ?? 'TLS_AUTO');
    if (!(min in VERSIONS)) issues.error(`${path}.tlsParams.tlsMinimumProtocolVersion`, `unknown TLS version ${min}`);
    if (!(max in VERSIONS)) issues.error(`${path}.tlsParams.tlsMaximumProtocolVersion`, `unknown TLS version ${max}`);
    out.minVersion = VERSIONS[min];
    out.maxVersion = VERSIONS[max];
    if (out.minVersion && out.maxVersion && out.minVersion > out.maxVersion) issues.error(`${path}.tlsParams`, `minimum TLS version ${min} is above the maximum ${max}`);
    // BoringSSL's equal-preference groups "[A|B]" become plain preference order.
    out.ciphers = tp.cipherSuites.flatMap((s) => s.replace(/[[\]]/g, '').split('|')).filter(Boolean).join(':');
    out.ecdhCurves = tp.ecdhCurves.join(':');
    if (tp.signatureAlgorithms.length) issues.warn(`${path}.tlsParams.signatureAlgorithms`, 'ignored: the TLS library default signature algorithms apply');
  }
  if (c.customHandshaker) issues.error(`${path}.customHandshaker`, 'custom handshakers are not supported');
  if (c.keyLog) issues.warn(`${path}.keyLog`, 'ignored: TLS key logging is not supported');
  return out;
}

/** A filter chain's transport socket: undefined for plaintext. */
export function decodeDownstreamTransportSocket(ts: TransportSocketLike | null | undefined, path: string, issues: Issues): DownstreamTlsConfig | undefined {
  if (isRawBuffer(ts)) return undefined;
  const t = typeName(anyTypeUrl(ts!.typedConfig));
  if (t !== DOWNSTREAM_TYPE) {
    issues.error(path, `transport socket ${ts!.name} (${t || 'no typed_config'}) is not supported on listeners (raw_buffer or ${DOWNSTREAM_TYPE})`);
    return undefined;
  }
  const msg = unpack<DownstreamTlsContext__Output>(ts!.typedConfig, `${path}.typedConfig`, issues);
  if (!msg) return undefined;
  const p = `${path}.typedConfig.commonTlsContext`;
  const common = decodeCommonTlsContext(msg.commonTlsContext, p, issues);
  if (!common.certificate) issues.error(p, 'a downstream TLS context needs a certificate (tls_certificates or tls_certificate_sds_secret_configs)');
  const requireClientCertificate = bool(msg.requireClientCertificate, false);
  if (requireClientCertificate && !common.validation?.trust) issues.error(`${path}.typedConfig.requireClientCertificate`, 'requiring a client certificate needs a validation context with trusted CAs');
  if (msg.sessionTicketKeys || msg.sessionTicketKeysSdsSecretConfig) issues.warn(`${path}.typedConfig.sessionTicketKeys`, 'ignored: session tickets use per-process keys');
  return { kind: 'downstream', common, requireClientCertificate, requireSni: bool(msg.requireSni, false) };
}

/** A cluster's (or a transport socket match's) transport socket: undefined for plaintext. */
export function decodeUpstreamTransportSocket(ts: TransportSocketLike | null | undefined, path: string, issues: Issues): UpstreamTlsConfig | undefined {
  if (isRawBuffer(ts)) return undefined;
  const t = typeName(anyTypeUrl(ts!.typedConfig));
  if (t !== UPSTREAM_TYPE) {
    issues.error(path, `transport socket ${ts!.name} (${t || 'no typed_config'}) is not supported on clusters (raw_buffer or ${UPSTREAM_TYPE})`);
    return undefined;
  }
  const msg = unpack<UpstreamTlsContext__Output>(ts!.typedConfig, `${path}.typedConfig`, issues);
  if (!msg) return undefined;
  const common = decodeCommonTlsContext(msg.commonTlsContext, `${path}.typedConfig.commonTlsContext`, issues);
  // Like Istio's VERIFY_CERTIFICATE_AT_CLIENT: no validation context verifies against the system roots.
  // Skipping verification must be explicit (trust_chain_verification: ACCEPT_UNTRUSTED).
  common.validation ??= { trust: { kind: 'system' }, sanMatchers: [], certificateHashes: [], allowExpired: false };
  if (msg.allowRenegotiation) issues.warn(`${path}.typedConfig.allowRenegotiation`, 'ignored: renegotiation is never allowed');
  return { kind: 'upstream', common, sni: msg.sni ?? '' };
}
