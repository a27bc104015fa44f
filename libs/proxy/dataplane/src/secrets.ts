// Where the data plane gets TLS material by SDS secret name. Listener and
// cluster configs name secrets (`default`, `ROOTCA`, `kubernetes://<name>`,
// `file-cert:...`); the proxy app supplies a provider that resolves them:
// `default` and `ROOTCA` from its own certificate manager (like istio-agent's
// local SDS server, never fetched from Pilot), other names from Secret
// resources Pilot sends or from files. New connections use the newest value;
// established connections keep the material they started with.

// The secret types are @sextant/workload-identity's: the certificate manager
// there implements this contract without depending on the proxy.
import type { SecretProvider, SecretValue } from '@sextant/workload-identity';

export type { SecretProvider, SecretValue, TlsCertificateSecret, ValidationContextSecret } from '@sextant/workload-identity';

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
