// A stand-in for kube-apiserver's TokenReview API (authentication.k8s.io/v1),
// because kube-apiserver (with etcd) cannot run on the test machines. It is
// a real HTTPS server with its own CA, and it does what the API server does
// for a bound service-account token: checks the caller's own credential,
// verifies the token's ES256 signature and expiry, checks that the token was
// not invalidated (pod deleted), intersects the token's audiences with the
// requested ones (none requested: the API server's own audience), and
// answers a TokenReview status with the service-account user, its groups
// and the audiences it matched. Tokens are minted like the kubelet's
// projected tokens (iss, sub, aud, exp, iat, nbf, kubernetes.io claims).
import { generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export interface ReviewSeen {
  token: string;
  audiences: string[] | undefined;
  authenticated: boolean;
  error?: string;
}

export interface MintOptions {
  namespace: string;
  serviceAccount: string;
  audiences?: string[];
  ttlSeconds?: number;
}

export class FakeApiServer {
  readonly reviews: ReviewSeen[] = [];
  readonly invalidated = new Set<string>();
  private readonly key: { privateKey: KeyObject; publicKey: KeyObject };
  private server: https.Server | undefined;
  port = 0;
  private caPem = '';

  constructor(
    private readonly dir: string,
    /** The bearer token Citadel itself must present (its own service account's). */
    readonly callerToken = 'citadel-own-service-account-token',
  ) {
    this.key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  }

  async start(): Promise<void> {
    const keyFile = join(this.dir, 'apiserver.key');
    const certFile = join(this.dir, 'apiserver.crt');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl could not make the API server certificate: ${r.stderr}`);
    this.caPem = readFileSync(certFile, 'utf8');
    this.server = https.createServer({ key: readFileSync(keyFile), cert: this.caPem }, (req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method !== 'POST' || req.url !== '/apis/authentication.k8s.io/v1/tokenreviews') return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
        if (req.headers.authorization !== `Bearer ${this.callerToken}`) return send(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
        const review = JSON.parse(raw || '{}') as { spec?: { token?: string; audiences?: string[] } };
        const spec = review.spec ?? {};
        send(201, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec, status: this.review(spec.token ?? '', spec.audiences) });
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
  }

  /** A kubeconfig for Citadel: this server, its CA, Citadel's own token. */
  writeKubeconfig(): string {
    const file = join(this.dir, 'kubeconfig.yaml');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: { server: "https://127.0.0.1:${this.port}", certificate-authority-data: ${Buffer.from(this.caPem).toString('base64')} }
users:
  - name: citadel
    user: { token: ${this.callerToken} }
contexts:
  - name: fake
    context: { cluster: fake, user: citadel }
current-context: fake
`,
    );
    return file;
  }

  /** A bound service-account token as the kubelet projects it. */
  mint(o: MintOptions): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', kid: 'test-signing-key' };
    const payload = {
      aud: o.audiences ?? ['istio-ca'],
      exp: now + (o.ttlSeconds ?? 3600),
      iat: now,
      nbf: now,
      iss: API_AUDIENCE,
      jti: randomUUID(),
      sub: `system:serviceaccount:${o.namespace}:${o.serviceAccount}`,
      'kubernetes.io': { namespace: o.namespace, pod: { name: `${o.serviceAccount}-7d9f-x2`, uid: randomUUID() }, serviceaccount: { name: o.serviceAccount, uid: randomUUID() } },
    };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const signed = `${b64(header)}.${b64(payload)}`;
    return `${signed}.${sign('sha256', Buffer.from(signed), { key: this.key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
  }

  private review(token: string, requested: string[] | undefined): Record<string, unknown> {
    const refuse = (error: string) => {
      this.reviews.push({ token, audiences: requested, authenticated: false, error });
      return { authenticated: false, error };
    };
    const parts = token.split('.');
    if (parts.length !== 3) return refuse('[invalid bearer token, square/go-jose: compact JWS format must have three parts]');
    const signatureOk = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.key.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'));
    if (!signatureOk) return refuse('[invalid bearer token, square/go-jose: error in cryptographic primitive]');
    const c = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { aud: string[]; exp: number; sub: string; jti: string; 'kubernetes.io': { namespace: string; serviceaccount: { uid: string } } };
    if (c.exp * 1000 < Date.now()) return refuse('[invalid bearer token, service account token has expired]');
    if (this.invalidated.has(c.jti)) return refuse('[invalid bearer token, service account token has been invalidated]');
    const wanted = requested && requested.length > 0 ? requested : [API_AUDIENCE];
    const matched = c.aud.filter((a) => wanted.includes(a));
    if (matched.length === 0) return refuse(`[invalid bearer token, token audiences ${JSON.stringify(c.aud)} is invalid for the target audiences ${JSON.stringify(wanted)}]`);
    this.reviews.push({ token, audiences: requested, authenticated: true });
    const ns = c['kubernetes.io'].namespace;
    return {
      authenticated: true,
      user: { username: c.sub, uid: c['kubernetes.io'].serviceaccount.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] },
      audiences: matched,
    };
  }
}

/** The jti claim of a token minted by the fake server. */
export const jtiOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }).jti;
