// Renewal: a workload that holds a valid certificate from this mesh proves
// its identity with it, so bootstrap tokens can stay single-use. The token
// carries the current chain and a signature, made with the current key, over
// the token body and a hash of the CSR being sent:
//
//   sxtr1.<base64url(JSON {chain: [leaf PEM, intermediates...], ts: seconds})>.<base64url(signature)>
//   signature = sign(current key, "sxtr1.<body>." + hex(sha256(csr)))   (SHA-256; ECDSA DER or RSA PKCS#1 v1.5)
//
// Citadel checks the chain against its trust bundle, takes the identity from
// the leaf's single SPIFFE URI, checks ts is within the allowed skew and the
// signature. Bound to the CSR, a captured token is useless with any other CSR;
// replaying it with the same CSR yields a certificate for a key the replayer
// does not hold.
import { X509Certificate, createHash, sign, verify, type KeyObject } from 'node:crypto';
import { parseSpiffeId, verifyChain } from '@sextant/pki';
import type { AuthContext, Authenticator, Caller } from './authenticator';
import { CaServerError } from './errors';

export const RENEWAL_PREFIX = 'sxtr1';

const csrHash = (csr: string) => createHash('sha256').update(csr).digest('hex');

/** Builds a renewal token (what a workload agent sends to renew). */
export function createRenewalToken(opts: { chain: readonly string[]; key: KeyObject; csr: string; nowMs?: number }): string {
  const body = Buffer.from(JSON.stringify({ chain: opts.chain, ts: Math.floor((opts.nowMs ?? Date.now()) / 1000) })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${RENEWAL_PREFIX}.${body}.${csrHash(opts.csr)}`), opts.key);
  return `${RENEWAL_PREFIX}.${body}.${signature.toString('base64url')}`;
}

export interface RenewalOptions {
  trustDomain: string;
  /** The roots to trust now (the current trust bundle). */
  roots: () => readonly string[];
  /** Largest |now - ts| accepted. Default 5 minutes. */
  maxSkewMs?: number;
  now?: () => number;
}

export class RenewalAuthenticator implements Authenticator {
  readonly kind = 'certificate';
  constructor(private readonly opts: RenewalOptions) {}

  accepts(token: string): boolean {
    return token.startsWith(`${RENEWAL_PREFIX}.`);
  }

  async authenticate(token: string, context: AuthContext): Promise<Caller> {
    const now = (this.opts.now ?? Date.now)();
    const parts = token.split('.');
    let claims: { chain?: unknown; ts?: unknown };
    try {
      if (parts.length !== 3) throw new Error('not three parts');
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', `not a ${RENEWAL_PREFIX} renewal token`);
    }
    const chain = Array.isArray(claims.chain) ? claims.chain.filter((c): c is string => typeof c === 'string') : [];
    if (chain.length === 0 || typeof claims.ts !== 'number') throw new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', 'renewal token lacks its chain or time');

    const verified = verifyChain(chain, this.opts.roots(), new Date(now));
    if (!verified.ok) throw new CaServerError('RENEWAL_CERT_UNAUTHENTICATED', `renewal certificate refused: ${verified.errors[0]}`);
    const leaf = new X509Certificate(chain[0]);
    if (leaf.ca || verified.value.uris.length !== 1) throw new CaServerError('RENEWAL_CERT_UNAUTHENTICATED', 'the renewal certificate is not a workload certificate with one SPIFFE URI');
    const id = parseSpiffeId(verified.value.uris[0]);
    if (!id.ok || id.value.trustDomain !== this.opts.trustDomain) {
      throw new CaServerError('RENEWAL_CERT_UNAUTHENTICATED', `the renewal certificate names ${verified.value.uris[0]}, not an identity of trust domain ${this.opts.trustDomain}`);
    }
    const skew = Math.abs(now - claims.ts * 1000);
    if (skew > (this.opts.maxSkewMs ?? 300_000)) {
      throw new CaServerError('RENEWAL_STALE_UNAUTHENTICATED', `renewal proof for ${verified.value.uris[0]} is ${Math.round(skew / 1000)} s away from now`);
    }
    let valid = false;
    try {
      valid = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}.${csrHash(context.csr)}`), leaf.publicKey, Buffer.from(parts[2], 'base64url'));
    } catch {
      valid = false;
    }
    if (!valid) throw new CaServerError('RENEWAL_SIGNATURE_UNAUTHENTICATED', `renewal proof for ${verified.value.uris[0]} is not signed by its certificate's key over this CSR`);
    return { identity: id.value, spiffeId: verified.value.uris[0], method: this.kind, credentialId: leaf.serialNumber, detail: `certificate valid until ${leaf.validTo}` };
  }
}
