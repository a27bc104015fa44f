// A Kubernetes core/v1 Secret holding a TLS credential, checked the way a
// gateway will use it: Istio's key names (`tls.crt`/`tls.key`/`ca.crt`, or
// the generic `cert`/`key`/`cacert`), base64 `data` and plain `stringData`,
// PEM that parses, a key that belongs to the certificate, nothing expired.
// The same check serves `sextant apply`, `sextant create secret`, Galley,
// Pilot's config feed and its Kubernetes Secret informer. Pure: no I/O.
import { certificateFacts, expiry, parseCertificates, parsePrivateKey } from './pem';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
export const OPAQUE_SECRET_TYPE = 'Opaque';
export const CREDENTIAL_SECRET_TYPES: readonly string[] = [TLS_SECRET_TYPE, OPAQUE_SECRET_TYPE];

/** Key names, as Istio's credential controller reads them. */
export const SECRET_KEYS = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt', genericCert: 'cert', genericKey: 'key', genericCa: 'cacert' } as const;
const KNOWN_KEYS = new Set<string>(Object.values(SECRET_KEYS));
const CRL_KEYS = new Set(['ca.crl', 'crl']);

export interface SecretIssue {
  /** Field path in the Secret, e.g. `data.tls.key` (Kubernetes writes `data[tls.key]`; the dotted form is what users grep for). */
  path: string;
  reason: string;
}

/** What a TLS credential Secret is stored as (base64 values, as Kubernetes keeps `data`). */
export interface CredentialSecretSpec {
  type: string;
  data: Record<string, string>;
}

/** The PEM a gateway needs. */
export interface TlsCredential {
  certificateChain?: string;
  privateKey?: string;
  caCertificate?: string;
}

export interface CheckedSecret {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: CredentialSecretSpec;
  credential: TlsCredential;
}

export interface SecretCheck {
  secret?: CheckedSecret;
  errors: SecretIssue[];
  /** As far as they could be read, for error messages. */
  name?: string;
  namespace?: string;
}

export interface CheckOptions {
  defaultNamespace?: string;
  /** Certificates expired at this time are refused (default: now). */
  now?: Date;
  /** Accept expired certificates (a stored credential read back: what to serve is the writer's call). */
  allowExpired?: boolean;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a decoded document is a core/v1 Secret (what Galley stores next to Istio's kinds). */
export function isSecretDocument(value: Record<string, unknown>): boolean {
  return value['kind'] === 'Secret' && (value['apiVersion'] === 'v1' || value['apiVersion'] === undefined);
}

function stringMap(v: unknown, path: string, errors: SecretIssue[]): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    errors.push({ path, reason: 'must be a map of strings' });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') errors.push({ path: `${path}.${k}`, reason: 'must be a string' });
    else out[k] = val;
  }
  return out;
}

/** Checks a Secret as a user writes it (type, data, stringData). */
export function checkSecretObject(value: unknown, opts: CheckOptions = {}): SecretCheck {
  const errors: SecretIssue[] = [];
  if (!isObject(value)) return { errors: [{ path: '', reason: 'a Secret must be a mapping' }] };
  if (value['apiVersion'] !== 'v1') errors.push({ path: 'apiVersion', reason: `a Secret is apiVersion v1, got ${JSON.stringify(value['apiVersion'] ?? null)}` });
  if (value['kind'] !== 'Secret') errors.push({ path: 'kind', reason: `expected Secret, got ${JSON.stringify(value['kind'] ?? null)}` });
  const meta = isObject(value['metadata']) ? value['metadata'] : undefined;
  if (!meta) errors.push({ path: 'metadata', reason: 'is required (name, namespace)' });
  const name = typeof meta?.['name'] === 'string' ? meta['name'] : '';
  const nsRaw = meta?.['namespace'];
  const namespace = typeof nsRaw === 'string' && nsRaw ? nsRaw : (opts.defaultNamespace ?? 'default');
  if (meta && !name) errors.push({ path: 'metadata.name', reason: 'is required' });
  else if (name && (name.length > 253 || !NAME.test(name))) errors.push({ path: 'metadata.name', reason: `${JSON.stringify(name)} is not a valid Secret name (lower-case DNS subdomain, at most 253 characters)` });
  if (nsRaw !== undefined && (typeof nsRaw !== 'string' || (nsRaw && (nsRaw.length > 63 || !LABEL.test(nsRaw))))) {
    errors.push({ path: 'metadata.namespace', reason: `${JSON.stringify(nsRaw)} is not a valid namespace name` });
  }
  const labels = stringMap(meta?.['labels'], 'metadata.labels', errors);
  const annotations = stringMap(meta?.['annotations'], 'metadata.annotations', errors);
  for (const field of Object.keys(value)) {
    if (!['apiVersion', 'kind', 'metadata', 'type', 'data', 'stringData', 'immutable'].includes(field)) errors.push({ path: field, reason: 'unknown field of a Secret' });
  }
  const type = value['type'] === undefined ? OPAQUE_SECRET_TYPE : value['type'];
  if (typeof type !== 'string' || !CREDENTIAL_SECRET_TYPES.includes(type)) {
    errors.push({ path: 'type', reason: `secret type ${JSON.stringify(type)} is not a TLS credential; Sextant stores ${CREDENTIAL_SECRET_TYPES.join(' and ')} Secrets` });
  }
  const data: Record<string, string> = {};
  const rawData = stringMap(value['data'], 'data', errors) ?? {};
  for (const [k, v] of Object.entries(rawData)) {
    const compact = v.replace(/\s+/g, '');
    if (!BASE64.test(compact)) errors.push({ path: `data.${k}`, reason: 'is not valid base64 (data values are base64; use stringData for plain PEM)' });
    else data[k] = compact;
  }
  const stringData = stringMap(value['stringData'], 'stringData', errors) ?? {};
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  const origin = (k: string) => (k in stringData ? `stringData.${k}` : `data.${k}`);
  const ns = nsRaw === undefined ? namespace : typeof nsRaw === 'string' ? namespace : undefined;
  if (errors.length) return { errors, name, ...(ns ? { namespace: ns } : {}) };
  const checked = checkCredentialData(type as string, data, opts.allowExpired ? undefined : (opts.now ?? new Date()), origin);
  if (checked.errors.length) return { errors: checked.errors, name, namespace };
  const secret: CheckedSecret = { name, namespace, spec: { type: type as string, data: sortKeys(data) }, credential: checked.credential };
  if (labels && Object.keys(labels).length) secret.labels = labels;
  if (annotations && Object.keys(annotations).length) secret.annotations = annotations;
  return { secret, errors: [], name, namespace };
}

function sortKeys(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The credential in a Secret's data (base64 values): which keys hold what,
 * and whether the PEM is usable. `now` undefined: expiry is not checked.
 * `origin` names a key's field for errors.
 */
export function checkCredentialData(
  type: string,
  data: Record<string, string>,
  now: Date | undefined,
  origin: (key: string) => string = (k) => `data.${k}`,
): { credential: TlsCredential; errors: SecretIssue[] } {
  const errors: SecretIssue[] = [];
  const text: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (!DATA_KEY.test(k)) errors.push({ path: origin(k), reason: 'a data key holds only letters, digits, "-", "_" and "."' });
    else if (CRL_KEYS.has(k)) errors.push({ path: origin(k), reason: 'certificate revocation lists are not supported' });
    else if (!KNOWN_KEYS.has(k)) errors.push({ path: origin(k), reason: `unknown key; a TLS credential holds tls.crt, tls.key and ca.crt (or Istio's generic cert, key and cacert)` });
    else text[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  if (errors.length) return { credential: {}, errors };
  const K = SECRET_KEYS;
  const hasTls = K.cert in text || K.key in text;
  const hasGeneric = K.genericCert in text || K.genericKey in text;
  if (hasTls && hasGeneric) errors.push({ path: origin(K.genericCert in text ? K.genericCert : K.genericKey), reason: 'mixes tls.crt/tls.key with cert/key; use one pair' });
  if (K.ca in text && K.genericCa in text) errors.push({ path: origin(K.genericCa), reason: 'ca.crt is set too; use one of ca.crt and cacert' });
  const certKey = hasGeneric && !hasTls ? K.genericCert : K.cert;
  const keyKey = hasGeneric && !hasTls ? K.genericKey : K.key;
  const caKey = K.genericCa in text ? K.genericCa : K.ca;
  if (type === TLS_SECRET_TYPE && !(K.cert in text && K.key in text)) {
    errors.push({ path: origin(K.cert in text ? K.key : K.cert), reason: `is required in a ${TLS_SECRET_TYPE} Secret` });
  } else if ((certKey in text) !== (keyKey in text)) {
    errors.push({ path: origin(certKey in text ? keyKey : certKey), reason: `is required with ${origin(certKey in text ? certKey : keyKey)}` });
  } else if (!(certKey in text) && !(caKey in text)) {
    errors.push({ path: 'data', reason: 'holds no credential: give tls.crt and tls.key (a server certificate), ca.crt (a CA for MUTUAL), or both' });
  }
  if (errors.length) return { credential: {}, errors };
  const credential: TlsCredential = {};
  if (certKey in text) {
    const certs = parseCertificates(text[certKey]!);
    const key = parsePrivateKey(text[keyKey]!);
    if (!certs.ok) errors.push({ path: origin(certKey), reason: certs.reason });
    if (!key.ok) errors.push({ path: origin(keyKey), reason: key.reason });
    if (certs.ok) {
      const leaf = certs.value[0]!;
      const expired = now && expiry(leaf, now);
      if (expired) errors.push({ path: origin(certKey), reason: expired });
      if (key.ok && !leaf.checkPrivateKey(key.value)) {
        errors.push({ path: origin(keyKey), reason: `the private key does not match the certificate in ${origin(certKey)} ("${certificateFacts(leaf).subject}")` });
      }
    }
    credential.certificateChain = text[certKey]!;
    credential.privateKey = text[keyKey]!;
  }
  if (caKey in text) {
    const cas = parseCertificates(text[caKey]!);
    if (!cas.ok) errors.push({ path: origin(caKey), reason: cas.reason });
    else {
      for (const c of cas.value) {
        const expired = now && expiry(c, now);
        if (expired) errors.push({ path: origin(caKey), reason: expired });
      }
    }
    credential.caCertificate = text[caKey]!;
  }
  return { credential: errors.length ? {} : credential, errors };
}

/** Formats issues as `path: reason` lines. */
export function formatSecretIssues(issues: readonly SecretIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.reason}` : i.reason)).join('\n');
}
