// The SDS side of Pilot. Sidecars and gateways resolve `default` (workload
// certificate) and `ROOTCA` (mesh roots) from their own certificate manager,
// as istio-agent's in-process SDS server does: Pilot never sends them, and
// nothing waits for them (the consistency check only follows cluster, route
// and endpoint references). What Pilot does send over ADS as Secret
// resources are gateway credentials (`kubernetes://<credentialName>`,
// `...-cacert`) from the credential registry (credential-registry.ts:
// Secrets stored through Galley, and Kubernetes Secrets in a cluster), as a
// proxy of its namespace may see them. A name the registry cannot resolve
// is not sent, and the proxy's warnings say why.
import { LOCAL_SECRETS } from '@sextant/translate';

/** An Envoy `Secret` (object form): `tlsCertificate` or `validationContext`. */
export interface SecretObject {
  name: string;
  [k: string]: unknown;
}

/** Where gateway credentials come from (Istio: the Kubernetes Secret controller). */
export interface CredentialSource {
  /** The Secret for an SDS name (`kubernetes://<name>`, `kubernetes://<name>-cacert`) as a proxy in `namespace` may see it, or why not. */
  resolve(name: string, namespace: string): { ok: true; secret: SecretObject } | { ok: false; reason: string };
}

export interface SecretsForProxy {
  secrets: SecretObject[];
  warnings: string[];
}

/** The Secret resources Pilot serves for the SDS names a proxy's config refers to (sorted by name). */
export function secretsFor(names: Iterable<string>, credentials: CredentialSource | undefined, namespace: string): SecretsForProxy {
  const secrets: SecretObject[] = [];
  const warnings: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (LOCAL_SECRETS.has(name)) continue;
    const r = credentials?.resolve(name, namespace);
    if (r?.ok) secrets.push({ ...r.secret, name });
    else {
      warnings.push(`SDS secret ${name}: ${r ? r.reason : 'Pilot has no credential registry'}; not sent (the proxy must have it locally, or the TLS it configures cannot serve)`);
    }
  }
  return { secrets, warnings };
}

/** A Secret resource as debug output may show it: the private key replaced (as Envoy's config_dump does). */
export function redactSecretDump(resource: unknown): unknown {
  if (typeof resource !== 'object' || resource === null) return resource;
  const r = resource as { tlsCertificate?: Record<string, unknown> };
  if (!r.tlsCertificate || !('privateKey' in r.tlsCertificate)) return resource;
  return { ...r, tlsCertificate: { ...r.tlsCertificate, privateKey: { inlineString: '[redacted]' } } };
}
