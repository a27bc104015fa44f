// Plain internal TLS types: what a DownstreamTlsContext or UpstreamTlsContext
// (envoy.transport_sockets.tls) asks of the data plane. Certificates and
// trusted CAs are references (SDS secret names, files, inline PEM); the data
// plane resolves them when it builds a secure context.
import type { StringMatch } from './route-types';

/** PEM text inline, or a file read when the context is built. */
export type PemSource = { kind: 'inline'; pem: string } | { kind: 'file'; path: string };

export type CertificateSource = { kind: 'sds'; name: string } | { kind: 'static'; certChain: PemSource; privateKey: PemSource };

export type TrustSource = { kind: 'sds'; name: string } | { kind: 'pem'; source: PemSource } | { kind: 'system' };

export interface SanMatcherConfig {
  /** ANY: the deprecated match_subject_alt_names (DNS, URI, email and IP SANs alike). */
  type: 'ANY' | 'DNS' | 'URI' | 'EMAIL' | 'IP_ADDRESS';
  match: StringMatch;
}

export interface ValidationConfig {
  /** Where trusted roots come from; undefined: the peer chain is not verified (ACCEPT_UNTRUSTED). */
  trust: TrustSource | undefined;
  /** Some SAN of the peer certificate must match one of these; empty: any. */
  sanMatchers: SanMatcherConfig[];
  /** Lower-case hex SHA-256 of the peer certificate (DER); empty: any. */
  certificateHashes: string[];
  allowExpired: boolean;
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface CommonTlsConfig {
  /** The first one is served / presented. */
  certificate: CertificateSource | undefined;
  validation: ValidationConfig | undefined;
  alpn: string[];
  minVersion: TlsVersion | undefined;
  maxVersion: TlsVersion | undefined;
  /** OpenSSL cipher list (TLS 1.2 and below), "" for the default. */
  ciphers: string;
  /** "" for the default. */
  ecdhCurves: string;
  /** Every SDS secret name the context uses. */
  secretNames: string[];
}

export interface DownstreamTlsConfig {
  kind: 'downstream';
  common: CommonTlsConfig;
  requireClientCertificate: boolean;
  requireSni: boolean;
}

export interface UpstreamTlsConfig {
  kind: 'upstream';
  common: CommonTlsConfig;
  /** SNI to send; "" none. */
  sni: string;
}

/** One of a cluster's transport_socket_matches: endpoints whose envoy.transport_socket_match metadata has every key/value of `match`. */
export interface TransportSocketMatchConfig {
  name: string;
  match: Record<string, string>;
  /** undefined: plaintext (raw_buffer). */
  tls: UpstreamTlsConfig | undefined;
}
