// Inside Kubernetes: the caller presents its service-account token; the API
// server's TokenReview says whose it is. Only service-account users count
// (system:serviceaccount:<namespace>:<name>), and when audiences are set the
// token must have been minted for one of them (Istio's agents use "istio-ca").
import { AuthenticationV1Api, type KubeConfig, type V1TokenReview } from '@kubernetes/client-node';
import { checkIdentity, formatSpiffeId } from '@sextant/pki';
import type { Authenticator, Caller } from './authenticator';
import { TOKEN_PREFIX } from './bootstrap-token';
import { RENEWAL_PREFIX } from './renewal-token';
import { CaServerError } from './errors';

export interface TokenReviewOptions {
  kubeConfig: KubeConfig;
  trustDomain: string;
  /** Audiences the token must carry; empty: any. */
  audiences: readonly string[];
  timeoutMs?: number;
}

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

export class TokenReviewAuthenticator implements Authenticator {
  readonly kind = 'kubernetes';
  private readonly api: AuthenticationV1Api;

  constructor(private readonly opts: TokenReviewOptions) {
    this.api = opts.kubeConfig.makeApiClient(AuthenticationV1Api);
  }

  accepts(token: string): boolean {
    return !token.startsWith(`${TOKEN_PREFIX}.`) && !token.startsWith(`${RENEWAL_PREFIX}.`);
  }

  async authenticate(token: string): Promise<Caller> {
    const review = await this.review(token);
    const status = review.status;
    if (!status?.authenticated) {
      throw new CaServerError('TOKEN_REJECTED_UNAUTHENTICATED', `Kubernetes did not authenticate the token${status?.error ? `: ${status.error}` : ''}`);
    }
    const username = status.user?.username ?? '';
    const m = SA_USER.exec(username);
    if (!m) throw new CaServerError('TOKEN_REJECTED_UNAUTHENTICATED', `the token belongs to ${username || 'an unnamed user'}, not a service account`);
    if (this.opts.audiences.length > 0 && !(status.audiences ?? []).some((a) => this.opts.audiences.includes(a))) {
      throw new CaServerError('TOKEN_REJECTED_UNAUTHENTICATED', `the token of ${username} is not for audience ${this.opts.audiences.join(' or ')} (it has ${(status.audiences ?? []).join(', ') || 'none'})`);
    }
    const identity = { trustDomain: this.opts.trustDomain, namespace: m[1], serviceAccount: m[2] };
    const checked = checkIdentity(identity);
    if (!checked.ok) throw new CaServerError('TOKEN_REJECTED_UNAUTHENTICATED', `service account ${username} cannot be a SPIFFE ID: ${checked.errors[0].reason}`);
    return { identity, spiffeId: formatSpiffeId(identity), method: this.kind, credentialId: username, detail: `uid ${status.user?.uid ?? '?'}` };
  }

  private async review(token: string): Promise<V1TokenReview> {
    const timeoutMs = this.opts.timeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const body: V1TokenReview = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, ...(this.opts.audiences.length ? { audiences: [...this.opts.audiences] } : {}) },
      };
      return await Promise.race([this.api.createTokenReview({ body }), timeout]);
    } catch (err) {
      const code = (err as { code?: number }).code;
      throw new CaServerError('TOKEN_REVIEW_UNAVAILABLE', `TokenReview failed${code ? ` (HTTP ${code})` : ''}: ${(err as Error).message.slice(0, 300)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}
