// Renewal: a workload that holds a valid certificate from this mesh proves
// its identity with it, so bootstrap tokens can stay single-use. The wire
// format (and createRenewalToken, what agents call) lives in
// @sextant/workload-identity, shared with the workload side; this is
// Citadel's check of it: the chain against its trust bundle, the identity
// from the leaf's single SPIFFE URI, ts within the allowed skew, and the
// signature over the token body and the CSR's hash.
import { X509Certificate, verify } from 'node:crypto';
import { parseSpiffeId, verifyChain } from '@sextant/pki';
import { createRenewalToken, isRenewalToken, parseRenewalToken, renewalSignedBytes, RENEWAL_PREFIX, type ParsedRenewalToken } from '@sextant/workload-identity';
import type { AuthContext, Authenticator, Caller } from './authenticator';
import { CaServerError } from './errors';

export { createRenewalToken, RENEWAL_PREFIX };

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
    return isRenewalToken(token);
  }

  async authenticate(token: string, context: AuthContext): Promise<Caller> {
    const now = (this.opts.now ?? Date.now)();
    let parsed: ParsedRenewalToken;
    try {
      parsed = parseRenewalToken(token);
    } catch (err) {
      throw new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', (err as Error).message);
    }
    const { chain, ts } = parsed.claims;

    const verified = verifyChain(chain, this.opts.roots(), new Date(now));
    if (!verified.ok) throw new CaServerError('RENEWAL_CERT_UNAUTHENTICATED', `renewal certificate refused: ${verified.errors[0]}`);
    const leaf = new X509Certificate(chain[0]);
    if (leaf.ca || verified.value.uris.length !== 1) throw new CaServerError('RENEWAL_CERT_UNAUTHENTICATED', 'the renewal certificate is not a workload certificate with one SPIFFE URI');
    const id = parseSpiffeId(verified.value.uris[0]);
    if (!id.ok || id.value.trustDomain !== this.opts.trustDomain) {
      throw new CaServerError('RENEWAL_CERT_UNAUTHENTICATED', `the renewal certificate names ${verified.value.uris[0]}, not an identity of trust domain ${this.opts.trustDomain}`);
    }
    const skew = Math.abs(now - ts * 1000);
    if (skew > (this.opts.maxSkewMs ?? 300_000)) {
      throw new CaServerError('RENEWAL_STALE_UNAUTHENTICATED', `renewal proof for ${verified.value.uris[0]} is ${Math.round(skew / 1000)} s away from now`);
    }
    let valid = false;
    try {
      valid = verify('sha256', renewalSignedBytes(parsed.signedPrefix, context.csr), leaf.publicKey, parsed.signature);
    } catch {
      valid = false;
    }
    if (!valid) throw new CaServerError('RENEWAL_SIGNATURE_UNAUTHENTICATED', `renewal proof for ${verified.value.uris[0]} is not signed by its certificate's key over this CSR`);
    return { identity: id.value, spiffeId: verified.value.uris[0], method: this.kind, credentialId: leaf.serialNumber, detail: `certificate valid until ${leaf.validTo}` };
  }
}
