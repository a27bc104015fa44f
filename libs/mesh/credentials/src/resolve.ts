// From an SDS name a gateway's TLS config refers to
// (`kubernetes://<credentialName>`, `kubernetes://<credentialName>-cacert`)
// to the Envoy v3 `Secret` to send, as Istio's credential controller
// resolves it: only Secrets of the proxy's own namespace; for `-cacert`, a
// Secret named `<name>-cacert` with a CA, else the CA (`ca.crt`/`cacert`)
// of the Secret `<name>` itself.
import type { TlsCredential } from './secret-check';

export const CREDENTIAL_PREFIX = 'kubernetes://';
export const CACERT_SUFFIX = '-cacert';

/** An Envoy v3 Secret (object form, as @grpc/proto-loader encodes it). */
export type EnvoySecret =
  | { name: string; tlsCertificate: { certificateChain: { inlineString: string }; privateKey: { inlineString: string } } }
  | { name: string; validationContext: { trustedCa: { inlineString: string } } };

/** A credential by namespace and name, or undefined when there is none. */
export type CredentialLookup = (namespace: string, name: string) => TlsCredential | undefined;

export type Resolved = { ok: true; secret: EnvoySecret; from: string } | { ok: false; reason: string };

export function tlsCertificateSecret(name: string, c: Required<Pick<TlsCredential, 'certificateChain' | 'privateKey'>>): EnvoySecret {
  return { name, tlsCertificate: { certificateChain: { inlineString: c.certificateChain }, privateKey: { inlineString: c.privateKey } } };
}

export function validationContextSecret(name: string, caPem: string): EnvoySecret {
  return { name, validationContext: { trustedCa: { inlineString: caPem } } };
}

/** `kubernetes://name` or `kubernetes://namespace/name`; undefined for other SDS names. */
export function parseCredentialName(sdsName: string): { namespace?: string; name: string } | undefined {
  if (!sdsName.startsWith(CREDENTIAL_PREFIX)) return undefined;
  const rest = sdsName.slice(CREDENTIAL_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return rest ? { name: rest } : undefined;
  const namespace = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  return namespace && name && !name.includes('/') ? { namespace, name } : undefined;
}

/** The Secret for `sdsName` as a proxy in `proxyNamespace` may see it. */
export function resolveCredential(sdsName: string, proxyNamespace: string, lookup: CredentialLookup): Resolved {
  const parsed = parseCredentialName(sdsName);
  if (!parsed) return { ok: false, reason: `not a credentialName reference (${CREDENTIAL_PREFIX}<name>)` };
  if (parsed.namespace && parsed.namespace !== proxyNamespace) {
    return { ok: false, reason: `a gateway reads Secrets of its own namespace only (the proxy is in ${proxyNamespace}, the Secret in ${parsed.namespace})` };
  }
  const ns = proxyNamespace;
  const own = lookup(ns, parsed.name);
  if (parsed.name.endsWith(CACERT_SUFFIX) && parsed.name.length > CACERT_SUFFIX.length) {
    if (own?.caCertificate) return { ok: true, secret: validationContextSecret(sdsName, own.caCertificate), from: `${ns}/${parsed.name}` };
    if (own?.certificateChain && own.privateKey) return { ok: true, secret: tlsCertificateSecret(sdsName, { certificateChain: own.certificateChain, privateKey: own.privateKey }), from: `${ns}/${parsed.name}` };
    const base = parsed.name.slice(0, -CACERT_SUFFIX.length);
    const parent = lookup(ns, base);
    if (parent?.caCertificate) return { ok: true, secret: validationContextSecret(sdsName, parent.caCertificate), from: `${ns}/${base}` };
    if (parent) return { ok: false, reason: `Secret ${ns}/${base} holds no CA certificate (ca.crt or cacert), and there is no Secret ${ns}/${parsed.name}` };
    return { ok: false, reason: `no Secret ${ns}/${parsed.name} or ${ns}/${base} with a CA certificate` };
  }
  if (!own) return { ok: false, reason: `no Secret ${ns}/${parsed.name}` };
  if (!own.certificateChain || !own.privateKey) return { ok: false, reason: `Secret ${ns}/${parsed.name} holds no certificate and key (tls.crt and tls.key)` };
  return { ok: true, secret: tlsCertificateSecret(sdsName, { certificateChain: own.certificateChain, privateKey: own.privateKey }), from: `${ns}/${parsed.name}` };
}
