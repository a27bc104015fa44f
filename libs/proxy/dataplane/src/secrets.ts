// Where the data plane gets TLS material by SDS secret name. Listener and
// cluster configs name secrets (`default`, `ROOTCA`, `kubernetes://<name>`,
// `file-cert:...`); the proxy app supplies a provider that resolves them:
// `default` and `ROOTCA` from its own certificate manager (like istio-agent's
// local SDS server, never fetched from Pilot), other names from Secret
// resources Pilot sends or from files. New connections use the newest value;
// established connections keep the material they started with.

/** A certificate and its key, PEM (SDS `tls_certificate`). */
export interface TlsCertificateSecret {
  kind: 'tlsCertificate';
  /** Leaf first, then intermediates. */
  certChainPem: string;
  privateKeyPem: string;
  /** Leaf's notAfter, for status and rotation reporting. */
  notAfter?: Date;
}

/** Trusted roots, PEM, concatenated (SDS `validation_context`). */
export interface ValidationContextSecret {
  kind: 'validationContext';
  trustedCaPem: string;
}

export type SecretValue = TlsCertificateSecret | ValidationContextSecret;

export interface SecretProvider {
  /** The current value, or undefined when the secret is not (yet) known. */
  get(name: string): SecretValue | undefined;
  /** Called with the secret's name whenever its value changes; returns an unsubscribe function. */
  onChange(listener: (name: string) => void): () => void;
}

/** A provider backed by a map, for tests and for secrets set by the proxy app. */
export class StaticSecretProvider implements SecretProvider {
  private readonly values = new Map<string, SecretValue>();
  private readonly listeners = new Set<(name: string) => void>();

  set(name: string, value: SecretValue | undefined): void {
    if (value === undefined) this.values.delete(name);
    else this.values.set(name, value);
    for (const l of this.listeners) l(name);
  }

  get(name: string): SecretValue | undefined {
    return this.values.get(name);
  }

  onChange(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
