// The data plane's secret contract (SDS by name), as @sextant/dataplane
// declares it in libs/proxy/dataplane/src/secrets.ts. Repeated here
// structurally (shared libs cannot import the proxy's): a provider built
// here is a SecretProvider there, which the proxy's typecheck confirms.

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
