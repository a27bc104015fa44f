// Who is calling: every way of proving an identity sits behind one interface,
// chosen by the shape of the bearer token (bootstrap and renewal tokens carry
// a prefix; anything else goes to Kubernetes when Citadel runs in a cluster).
import type { WorkloadIdentity } from '@sextant/pki';
import { CaServerError } from './errors';

export interface Caller {
  identity: WorkloadIdentity;
  spiffeId: string;
  /** Which authenticator vouched: 'bootstrap-token' or 'kubernetes'. */
  method: string;
  /** Token id (bootstrap) or username (Kubernetes), for logs. */
  credentialId: string;
  detail?: string;
}

/** The request being authenticated (some proofs are bound to the CSR). */
export interface AuthContext {
  csr: string;
}

export interface Authenticator {
  readonly kind: string;
  /** True when this authenticator understands the token's form. */
  accepts(token: string): boolean;
  /** Resolves the caller or throws CaServerError (UNAUTHENTICATED / UNAVAILABLE codes). */
  authenticate(token: string, context: AuthContext): Promise<Caller>;
}

/** Tries authenticators in order: the first that accepts the token decides. */
export class AuthenticatorChain implements Authenticator {
  readonly kind = 'chain';
  constructor(private readonly authenticators: readonly Authenticator[]) {}

  get kinds(): string[] {
    return this.authenticators.map((a) => a.kind);
  }

  accepts(token: string): boolean {
    return this.authenticators.some((a) => a.accepts(token));
  }

  authenticate(token: string, context: AuthContext): Promise<Caller> {
    const a = this.authenticators.find((x) => x.accepts(token));
    if (!a) {
      return Promise.reject(new CaServerError('TOKEN_MALFORMED_UNAUTHENTICATED', `the bearer token is not one this CA takes (accepted: ${this.kinds.join(', ')})`));
    }
    return a.authenticate(token, context);
  }
}

/** The token from an "authorization: Bearer <token>" value, if any. */
export function bearerFrom(values: readonly unknown[]): string | undefined {
  for (const v of values) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(String(v));
    if (m) return m[1];
  }
  return undefined;
}
