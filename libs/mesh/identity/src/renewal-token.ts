// The renewal token wire format. A workload that holds a valid certificate
// from this mesh proves its identity with it, so bootstrap tokens can stay
// single-use. The token carries the current chain and a signature, made with
// the current key, over the token body and a hash of the CSR being sent:
//
//   sxtr1.<base64url(JSON {chain: [leaf PEM, intermediates...], ts: seconds})>.<base64url(signature)>
//   signature = sign(current key, "sxtr1.<body>." + hex(sha256(csr)))   (SHA-256; ECDSA DER or RSA PKCS#1 v1.5)
//
// Bound to the CSR, a captured token is useless with any other CSR; replaying
// it with the same CSR yields a certificate for a key the replayer lacks.
// Citadel verifies it (chain against the trust bundle, skew, signature).
import { createHash, sign, type KeyObject } from 'node:crypto';

export const RENEWAL_PREFIX = 'sxtr1';
/** Bootstrap tokens Citadel issues start with this (opaque to workloads). */
export const BOOTSTRAP_PREFIX = 'sxt1';

export interface RenewalClaims {
  chain: string[];
  /** Unix seconds when the proof was made. */
  ts: number;
}

export interface ParsedRenewalToken {
  claims: RenewalClaims;
  signature: Buffer;
  /** "sxtr1.<body>": the part the signature covers, before the CSR hash. */
  signedPrefix: string;
}

export const csrDigest = (csr: string): string => createHash('sha256').update(csr).digest('hex');

/** The bytes the renewal signature covers for this token prefix and CSR. */
export function renewalSignedBytes(signedPrefix: string, csr: string): Buffer {
  return Buffer.from(`${signedPrefix}.${csrDigest(csr)}`);
}

/** Builds a renewal token for sending `csr`, proven with the current chain and key. */
export function createRenewalToken(opts: { chain: readonly string[]; key: KeyObject; csr: string; nowMs?: number }): string {
  const body = Buffer.from(JSON.stringify({ chain: opts.chain, ts: Math.floor((opts.nowMs ?? Date.now()) / 1000) })).toString('base64url');
  const signedPrefix = `${RENEWAL_PREFIX}.${body}`;
  const signature = sign('sha256', renewalSignedBytes(signedPrefix, opts.csr), opts.key);
  return `${signedPrefix}.${signature.toString('base64url')}`;
}

export const isRenewalToken = (token: string): boolean => token.startsWith(`${RENEWAL_PREFIX}.`);

/** Decodes a renewal token; throws with the reason when it is not one. Verifies nothing. */
export function parseRenewalToken(token: string): ParsedRenewalToken {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== RENEWAL_PREFIX) throw new Error(`not a ${RENEWAL_PREFIX} renewal token (expected three dot-separated parts)`);
  let raw: { chain?: unknown; ts?: unknown };
  try {
    raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof raw;
  } catch {
    throw new Error(`the body of the ${RENEWAL_PREFIX} token is not base64url JSON`);
  }
  const chain = Array.isArray(raw?.chain) ? raw.chain.filter((c): c is string => typeof c === 'string') : [];
  if (chain.length === 0) throw new Error('the renewal token lacks its chain');
  if (typeof raw.ts !== 'number') throw new Error('the renewal token lacks its time (ts)');
  return { claims: { chain, ts: raw.ts }, signature: Buffer.from(parts[2], 'base64url'), signedPrefix: `${parts[0]}.${parts[1]}` };
}
