// The data plane's secret contract (SDS by name): @sextant/dataplane takes a
// SecretProvider and resolves listener and cluster TLS material through it;
// the certificate manager here implements it (shared libs cannot import the
// proxy's, so the contract lives here).

/** SDS secret names istio-agent serves locally, never fetched from Pilot. */
export const WORKLOAD_CERT_SECRET = 'default';
export const ROOT_CA_SECRET = 'ROOTCA';

export interface TlsCertificateSecret {
  kind: 'tlsCertificate';
  /** Leaf first, then intermediates. */
  certChainPem: string;
  privateKeyPem: string;
  notAfter?: Date;
}

export interface ValidationContextSecret {
  kind: 'validationContext';
  trustedCaPem: string;
}

export type SecretValue = TlsCertificateSecret | ValidationContextSecret;

export interface SecretProvider {
  get(name: string): SecretValue | undefined;
  onChange(listener: (name: string) => void): () => void;
}
