// The trust bundle document: what Citadel publishes in NATS KV bucket
// sextant_trust under key "bundle", and what every workload reads to know
// which roots to trust. During a root rotation it holds the old and the new
// root (the overlap), signing root first. A versioned contract: decoding
// checks the schema and every field, and names the one that is wrong.

export interface TrustAnchor {
  pem: string;
  /** SHA-256 fingerprint, colon-separated hex (as Node prints it). */
  fingerprint: string;
  subject: string;
  notAfter: string;
  /** Set once the root is no longer the signing root: it leaves the bundle at this time. */
  retireAt?: string;
}

/** What Citadel publishes (NATS KV sextant_trust, key "bundle"). */
export interface TrustBundleDocument {
  schema: typeof TRUST_BUNDLE_SCHEMA;
  trustDomain: string;
  version: number;
  updatedAt: string;
  /** PEM roots, the signing root first. */
  roots: string[];
  anchors: TrustAnchor[];
}

export const TRUST_BUNDLE_SCHEMA = 'sextant.trust-bundle/v1';
export const TRUST_BUNDLE_KEY = 'bundle';

export class TrustBundleFormatError extends Error {
  constructor(readonly field: string, reason: string) {
    super(`trust bundle ${TRUST_BUNDLE_KEY}: ${field} ${reason}`);
    this.name = 'TrustBundleFormatError';
  }
}

const PEM_CERT_RE = /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;

export function encodeTrustBundle(doc: TrustBundleDocument): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Parses and checks a published document (bytes from KV, a string, or parsed JSON). */
export function decodeTrustBundle(input: Uint8Array | string | unknown): TrustBundleDocument {
  let value: unknown = input;
  if (input instanceof Uint8Array || typeof input === 'string') {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new TrustBundleFormatError('document', `is not JSON: ${(err as Error).message}`);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TrustBundleFormatError('document', 'is not an object');
  const d = value as Record<string, unknown>;
  if (d['schema'] !== TRUST_BUNDLE_SCHEMA) throw new TrustBundleFormatError('schema', `is ${JSON.stringify(d['schema'])}, expected ${TRUST_BUNDLE_SCHEMA}`);
  if (typeof d['trustDomain'] !== 'string' || !d['trustDomain']) throw new TrustBundleFormatError('trustDomain', 'must be a non-empty string');
  if (typeof d['version'] !== 'number' || !Number.isInteger(d['version']) || d['version'] < 0) throw new TrustBundleFormatError('version', 'must be a non-negative integer');
  if (typeof d['updatedAt'] !== 'string' || Number.isNaN(Date.parse(d['updatedAt']))) throw new TrustBundleFormatError('updatedAt', 'must be an ISO date');
  if (!Array.isArray(d['roots'])) throw new TrustBundleFormatError('roots', 'must be an array of PEM certificates');
  d['roots'].forEach((r, i) => {
    if (typeof r !== 'string' || !PEM_CERT_RE.test(r.trim())) throw new TrustBundleFormatError(`roots[${i}]`, 'is not a PEM certificate');
  });
  const anchors = d['anchors'] ?? [];
  if (!Array.isArray(anchors)) throw new TrustBundleFormatError('anchors', 'must be an array');
  anchors.forEach((a, i) => {
    const x = a as Record<string, unknown>;
    for (const f of ['pem', 'fingerprint', 'subject', 'notAfter'] as const) {
      if (!x || typeof x[f] !== 'string') throw new TrustBundleFormatError(`anchors[${i}].${f}`, 'must be a string');
    }
    if (x['retireAt'] !== undefined && typeof x['retireAt'] !== 'string') throw new TrustBundleFormatError(`anchors[${i}].retireAt`, 'must be a string when set');
  });
  return { ...(d as unknown as TrustBundleDocument), anchors: anchors as TrustAnchor[] };
}
