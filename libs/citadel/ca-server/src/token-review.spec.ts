// TokenReview against a fake API server: a real local HTTP server that
// answers what kube-apiserver would.
import { once } from 'node:events';
import http from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaServerError } from './errors';
import { TokenReviewAuthenticator } from './token-review';

interface Seen {
  path: string;
  authorization: string | undefined;
  body: { spec?: { token?: string; audiences?: string[] } };
}

let server: http.Server;
let port = 0;
const seen: Seen[] = [];
// What the fake API server answers, by presented token.
const answers: Record<string, { status: number; body: unknown; delayMs?: number }> = {
  'sa-alice': { status: 201, body: { kind: 'TokenReview', status: { authenticated: true, user: { username: 'system:serviceaccount:shop:alice', uid: 'u-1' }, audiences: ['istio-ca'] } } },
  'not-authenticated': { status: 201, body: { kind: 'TokenReview', status: { authenticated: false, error: 'token has expired' } } },
  'human-user': { status: 201, body: { kind: 'TokenReview', status: { authenticated: true, user: { username: 'jane@example.com' }, audiences: ['istio-ca'] } } },
  'wrong-audience': { status: 201, body: { kind: 'TokenReview', status: { authenticated: true, user: { username: 'system:serviceaccount:shop:alice' }, audiences: ['vault'] } } },
  'server-error': { status: 500, body: { kind: 'Status', message: 'etcd unavailable' } },
  slow: { status: 201, body: {}, delayMs: 1_000 },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Seen['body'];
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
      const answer = answers[body.spec?.token ?? ''] ?? { status: 201, body: { status: { authenticated: false } } };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

function authenticator(audiences = ['istio-ca'], serverPort = port, timeoutMs = 2_000): TokenReviewAuthenticator {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${serverPort}`, skipTLSVerify: true }],
    users: [{ name: 'citadel', token: 'citadel-own-sa-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'citadel' }],
    currentContext: 'fake',
  });
  return new TokenReviewAuthenticator({ kubeConfig, trustDomain: 'cluster.local', audiences, timeoutMs });
}

async function codeOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CaServerError);
    return [(err as CaServerError).code, (err as Error).message];
  }
  throw new Error('expected a refusal');
}

describe('Kubernetes TokenReview authenticator', () => {
  it('maps an authenticated service account to its SPIFFE ID, sending the token and audiences with its own credentials', async () => {
    const caller = await authenticator().authenticate('sa-alice');
    expect(caller).toMatchObject({ spiffeId: 'spiffe://cluster.local/ns/shop/sa/alice', method: 'kubernetes', credentialId: 'system:serviceaccount:shop:alice' });
    const last = seen[seen.length - 1];
    expect(last.path).toBe('/apis/authentication.k8s.io/v1/tokenreviews');
    expect(last.authorization).toBe('Bearer citadel-own-sa-token');
    expect(last.body.spec).toEqual({ token: 'sa-alice', audiences: ['istio-ca'] });
  });

  it('leaves bootstrap tokens to the bootstrap authenticator', () => {
    expect(authenticator().accepts('sxt1.a.b')).toBe(false);
    expect(authenticator().accepts('eyJhbGciOi...')).toBe(true);
  });

  it('refuses what Kubernetes does not authenticate, users that are not service accounts, and other audiences', async () => {
    expect(await codeOf(authenticator().authenticate('not-authenticated'))).toEqual(['TOKEN_REJECTED_UNAUTHENTICATED', expect.stringContaining('token has expired')]);
    expect(await codeOf(authenticator().authenticate('human-user'))).toEqual(['TOKEN_REJECTED_UNAUTHENTICATED', expect.stringContaining('jane@example.com, not a service account')]);
    expect(await codeOf(authenticator().authenticate('wrong-audience'))).toEqual(['TOKEN_REJECTED_UNAUTHENTICATED', expect.stringContaining('not for audience istio-ca')]);
    // With no audiences configured the audience is not checked.
    expect((await authenticator([]).authenticate('wrong-audience')).spiffeId).toBe('spiffe://cluster.local/ns/shop/sa/alice');
  });

  it('reports the API server failing, unreachable or slow as UNAVAILABLE', async () => {
    expect(await codeOf(authenticator().authenticate('server-error'))).toEqual(['TOKEN_REVIEW_UNAVAILABLE', expect.stringContaining('HTTP 500')]);
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadPort = (closed.address() as { port: number }).port;
    closed.close();
    expect((await codeOf(authenticator(['istio-ca'], deadPort).authenticate('sa-alice')))[0]).toBe('TOKEN_REVIEW_UNAVAILABLE');
    expect(await codeOf(authenticator(['istio-ca'], port, 200).authenticate('slow'))).toEqual(['TOKEN_REVIEW_UNAVAILABLE', expect.stringContaining('no answer within 200 ms')]);
  });
});
