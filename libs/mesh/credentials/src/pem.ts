// PEM parsing with node:crypto: certificate chains, private keys, and the
// facts `describe` shows (subject, SANs, validity). Every failure is a
// sentence naming what was wrong, for the caller to put behind a field path.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

export interface PemBlock {
  label: string;
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/** The PEM blocks of a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1]!, text: `${m[0]}\n` }));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Every block must be a certificate that parses; at least one. */
export function parseCertificates(text: string): Parsed<X509Certificate[]> {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) return { ok: false, reason: 'not PEM: no -----BEGIN CERTIFICATE----- block' };
  const certs: X509Certificate[] = [];
  for (const [i, b] of blocks.entries()) {
    if (b.label !== 'CERTIFICATE') return { ok: false, reason: `PEM block ${i + 1} is ${b.label}, expected CERTIFICATE` };
    try {
      certs.push(new X509Certificate(b.text));
    } catch (err) {
      return { ok: false, reason: `PEM block ${i + 1} is not a valid X.509 certificate (${(err as Error).message})` };
    }
  }
  return { ok: true, value: certs };
}

/** Exactly one unencrypted private key (PKCS#8, PKCS#1 or SEC1). */
export function parsePrivateKey(text: string): Parsed<KeyObject> {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) return { ok: false, reason: 'not PEM: no -----BEGIN PRIVATE KEY----- block' };
  if (blocks.length > 1) return { ok: false, reason: `holds ${blocks.length} PEM blocks; a private key is one` };
  const b = blocks[0]!;
  if (b.label === 'ENCRYPTED PRIVATE KEY') return { ok: false, reason: 'the private key is encrypted; store it unencrypted (as Kubernetes TLS secrets are)' };
  if (!KEY_LABELS.has(b.label)) return { ok: false, reason: `PEM block is ${b.label}, expected PRIVATE KEY` };
  try {
    return { ok: true, value: createPrivateKey(b.text) };
  } catch (err) {
    return { ok: false, reason: `not a valid private key (${(err as Error).message})` };
  }
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** subjectAltName entries: `DNS:a.example.com`, `IP Address:10.0.0.1`, `URI:spiffe://...` */
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  isCA: boolean;
}

/** `C=US\nCN=x` -> `C=US, CN=x` */
const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');

export function certificateFacts(c: X509Certificate): CertificateFacts {
  return {
    subject: dn(c.subject),
    issuer: dn(c.issuer),
    subjectAltNames: c.subjectAltName ? c.subjectAltName.split(', ').filter(Boolean) : [],
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    serialNumber: c.serialNumber,
    isCA: c.ca,
  };
}

/** Why the certificate cannot be used at `now`, or undefined. */
export function expiry(c: X509Certificate, now: Date): string | undefined {
  const notAfter = new Date(c.validTo);
  if (notAfter.getTime() <= now.getTime()) return `certificate "${dn(c.subject)}" expired at ${notAfter.toISOString()}`;
  return undefined;
}

export function subjectOf(c: X509Certificate): string {
  return dn(c.subject);
}
