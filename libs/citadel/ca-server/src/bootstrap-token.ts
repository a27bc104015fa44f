// Bootstrap tokens: how a workload outside Kubernetes proves its identity the
// first time. Citadel issues one per workload instance, for exactly one
// identity, short-lived, and by default good for one use (the issuer may allow
// a few more, up to a configured bound, for processes that restart).
//
//   sxt1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, "sxt1.<claims>"))>
//
// Claims: v (1), td/ns/sa (the identity), iat/exp (seconds), jti (128 random
// bits), uses (how many CSRs it may authenticate). The HMAC key lives only in
// Citadel (a file under its data dir), so only Citadel can issue or check them.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkIdentity, formatSpiffeId, type WorkloadIdentity } from '@sextant/pki';
import { BOOTSTRAP_PREFIX, type IssuedToken } from '@sextant/workload-identity';
import { CaServerError } from './errors';
import type { Authenticator, Caller } from './authenticator';
import type { ReplayStore } from './replay-store';

export const TOKEN_PREFIX = BOOTSTRAP_PREFIX;

export interface BootstrapTokenClaims {
  v: 1;
  td: string;
  ns: string;
  sa: string;
  iat: number;
  exp: number;
  jti: string;
  uses: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function mac(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

export function encodeToken(claims: BootstrapTokenClaims, key: Buffer): string {
  const signed = `${TOKEN_PREFIX}.${b64url(JSON.stringify(claims))}`;
  return `${signed}.${b64url(mac(key, signed))}`;
}

/** Checks form, signature and expiry (not uses). Throws CaServerError with the reason. */
export function decodeToken(token: string, key: Buffer, nowMs: number): BootstrapTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX || !parts[1] || !parts[2]) {
    throw new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', `not a ${TOKEN_PREFIX} bootstrap token`);
  }
  const expected = mac(key, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CaServerError('TOKEN_SIGNATURE_UNAUTHENTICATED', 'bootstrap token signature does not verify (not issued by this CA, or altered)');
  }
  let claims: BootstrapTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as BootstrapTokenClaims;
  } catch (err) {
    throw new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', 'bootstrap token claims are not JSON', { cause: err });
  }
  const fields: [keyof BootstrapTokenClaims, string][] = [['td', 'string'], ['ns', 'string'], ['sa', 'string'], ['iat', 'number'], ['exp', 'number'], ['jti', 'string'], ['uses', 'number']];
  if (claims?.v !== 1 || fields.some(([k, t]) => typeof claims[k] !== t)) {
    throw new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', 'bootstrap token claims are incomplete or of an unknown version');
  }
  if (claims.exp * 1000 <= nowMs) {
    throw new CaServerError('TOKEN_EXPIRED_UNAUTHENTICATED', `bootstrap token ${claims.jti} for ns/${claims.ns}/sa/${claims.sa} expired at ${new Date(claims.exp * 1000).toISOString()}`);
  }
  return claims;
}

/** Reads the HMAC key, creating 32 random bytes (mode 0600) the first time. */
export function loadOrCreateTokenKey(path: string): Buffer {
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length < 32) throw new Error(`bootstrap token key ${path} is shorter than 32 bytes; remove it to create a new one (outstanding tokens become invalid)`);
    return key;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export interface TokenPolicy {
  defaultTtlMs: number;
  maxTtlMs: number;
  /** Largest `uses` a token may carry (1 = strictly single use). */
  maxUses: number;
}

export interface TokenRequest {
  namespace: string;
  serviceAccount: string;
  /** Default: policy.defaultTtlMs; capped at policy.maxTtlMs. */
  ttlMs?: number;
  /** Default 1. */
  uses?: number;
}

/** What an issued token looks like to its requester (the admin API's answer); shared with workloads. */
export type { IssuedToken };

/** Issues bootstrap tokens and authenticates callers that present them. */
export class BootstrapTokens implements Authenticator {
  readonly kind = 'bootstrap-token';

  constructor(
    private readonly opts: {
      key: Buffer;
      trustDomain: string;
      policy: TokenPolicy;
      replay: ReplayStore;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  issue(req: TokenRequest): IssuedToken {
    const identity: WorkloadIdentity = { trustDomain: this.opts.trustDomain, namespace: req.namespace, serviceAccount: req.serviceAccount };
    const checked = checkIdentity(identity);
    if (!checked.ok) throw new CaServerError('TOKEN_REQUEST_INVALID', checked.errors.map((e) => e.reason).join('; '));
    const { defaultTtlMs, maxTtlMs, maxUses } = this.opts.policy;
    const ttlMs = req.ttlMs ?? defaultTtlMs;
    if (!Number.isFinite(ttlMs) || ttlMs < 1000) throw new CaServerError('TOKEN_REQUEST_INVALID', `token lifetime ${ttlMs} ms is below 1 s`);
    const uses = req.uses ?? 1;
    if (!Number.isInteger(uses) || uses < 1 || uses > maxUses) throw new CaServerError('TOKEN_REQUEST_INVALID', `uses ${uses} must be an integer from 1 to ${maxUses}`);
    const now = this.now();
    const claims: BootstrapTokenClaims = {
      v: 1,
      td: identity.trustDomain,
      ns: identity.namespace,
      sa: identity.serviceAccount,
      iat: Math.floor(now / 1000),
      exp: Math.floor((now + Math.min(ttlMs, maxTtlMs)) / 1000),
      jti: randomBytes(16).toString('base64url'),
      uses,
    };
    return { token: encodeToken(claims, this.opts.key), id: claims.jti, spiffeId: formatSpiffeId(identity), expiresAt: new Date(claims.exp * 1000).toISOString(), uses };
  }

  accepts(token: string): boolean {
    return token.startsWith(`${TOKEN_PREFIX}.`);
  }

  /** Verifies and spends one use; the use is spent even if the CSR is then refused. */
  async authenticate(token: string): Promise<Caller> {
    const claims = decodeToken(token, this.opts.key, this.now());
    if (claims.td !== this.opts.trustDomain) {
      throw new CaServerError('TOKEN_TRUST_DOMAIN_UNAUTHENTICATED', `bootstrap token ${claims.jti} names trust domain ${claims.td}, this CA serves ${this.opts.trustDomain}`);
    }
    const use = this.opts.replay.consume(claims.jti, claims.uses, claims.exp * 1000);
    if (use === undefined) {
      throw new CaServerError('TOKEN_REPLAYED_UNAUTHENTICATED', `bootstrap token ${claims.jti} for ns/${claims.ns}/sa/${claims.sa} was already used ${claims.uses} time(s)`);
    }
    const identity = { trustDomain: claims.td, namespace: claims.ns, serviceAccount: claims.sa };
    return { identity, spiffeId: formatSpiffeId(identity), method: this.kind, credentialId: claims.jti, detail: `use ${use} of ${claims.uses}` };
  }
}
