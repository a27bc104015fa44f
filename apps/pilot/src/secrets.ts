// The SDS side of Pilot. Sidecars and gateways resolve `default` (workload
// certificate) and `ROOTCA` (mesh roots) from their own certificate manager,
// as istio-agent's in-process SDS server does: Pilot never sends them, and
// nothing waits for them (the consistency check only follows cluster, route
// and endpoint references). What Pilot does send over ADS as Secret
// resources are gateway credentials (`kubernetes://<credentialName>`,
// `...-cacert`), and only those a credential registry has. Sextant has no
// such registry yet (no Kubernetes Secret watch): until one is wired, Pilot
// answers Secret requests with nothing and says so in the proxy's warnings.
import { LOCAL_SECRETS } from '@sextant/translate';

/** An Envoy `Secret` (object form): `tlsCertificate` or `validationContext`. */
export interface SecretObject {
  name: string;
  [k: string]: unknown;
}

/** Where gateway credentials come from (Istio: the Kubernetes Secret controller). */
export interface CredentialSource {
  /** The Secret for an SDS name (`kubernetes://<name>`, `kubernetes://<name>-cacert`), or undefined when unknown. */
  secret(name: string): SecretObject | undefined;
}

export interface SecretsForProxy {
  secrets: SecretObject[];
  warnings: string[];
}

/** The Secret resources Pilot serves for the SDS names a proxy's config refers to (sorted by name). */
export function secretsFor(names: Iterable<string>, credentials: CredentialSource | undefined): SecretsForProxy {
  const secrets: SecretObject[] = [];
  const warnings: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (LOCAL_SECRETS.has(name)) continue;
    const s = credentials?.secret(name);
    if (s) secrets.push({ ...s, name });
    else {
      warnings.push(
        `SDS secret ${name}: ${credentials ? 'not in the credential registry' : 'Pilot has no credential registry'}; not sent (the proxy must have it locally, or the TLS it configures cannot serve)`,
      );
    }
  }
  return { secrets, warnings };
}
