// What a person may see of a credential Secret: its type, its keys and their
// sizes, and the certificates' subject, SANs and validity (as `kubectl
// describe secret` shows sizes only). Key material never leaves here.
import { certificateFacts, parseCertificates, type CertificateFacts } from './pem';
import { SECRET_KEYS, type CredentialSecretSpec } from './secret-check';

export const REDACTED = 'REDACTED';

export interface SecretDescription {
  type: string;
  /** Key -> size in bytes of its decoded value. */
  keys: Record<string, number>;
  /** The served certificate chain (leaf first), when there is one. */
  certificate?: CertificateFacts[];
  /** The CA certificates for MUTUAL, when there are some. */
  caCertificate?: CertificateFacts[];
}

function facts(b64: string | undefined): CertificateFacts[] | undefined {
  if (b64 === undefined) return undefined;
  const parsed = parseCertificates(Buffer.from(b64, 'base64').toString('utf8'));
  return parsed.ok ? parsed.value.map(certificateFacts) : [];
}

export function describeSecret(spec: Partial<CredentialSecretSpec> | undefined): SecretDescription {
  const data = spec?.data ?? {};
  const keys = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').length]));
  const out: SecretDescription = { type: spec?.type ?? '', keys };
  const cert = facts(data[SECRET_KEYS.cert] ?? data[SECRET_KEYS.genericCert]);
  const ca = facts(data[SECRET_KEYS.ca] ?? data[SECRET_KEYS.genericCa]);
  if (cert) out.certificate = cert;
  if (ca) out.caCertificate = ca;
  return out;
}

/**
 * A stored Secret as it may be shown (API answers, `sextant get`, history):
 * every data value replaced by `REDACTED`, the description under
 * `status.credential`.
 */
export function redactStoredSecret<T extends { spec?: unknown; status?: unknown }>(stored: T): T {
  const spec = (stored.spec ?? {}) as Partial<CredentialSecretSpec>;
  const data = Object.fromEntries(Object.keys(spec.data ?? {}).map((k) => [k, REDACTED]));
  const status = { ...((stored.status as Record<string, unknown> | undefined) ?? {}), credential: describeSecret(spec) };
  return { ...stored, spec: { ...spec, data }, status };
}
