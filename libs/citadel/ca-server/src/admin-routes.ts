// Citadel's operator endpoints on the shared admin server:
//   POST /ca/bootstrap-tokens  {namespace, serviceAccount, ttlSeconds?, uses?} -> 201 IssuedToken
//   POST /ca/rotate-root       -> 200 {previous, current, bundleVersion}
//   GET  /debug/ca, /debug/trust_bundle (read-only, no secrets)
// The two POSTs are for local callers only: the peer address must be loopback
// (unless allowRemote) AND the request must carry "authorization: Bearer
// <secret>", the secret being the content of <dataDir>/admin.secret (mode
// 0600, created at first start). Whoever can read Citadel's data dir (the
// local runner that chose it) can mint tokens; nobody else can.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AdminServer } from '@sextant/admin';
import { ADMIN_SECRET_FILE, BOOTSTRAP_TOKENS_PATH, ROTATE_ROOT_PATH, adminSecretPath, type TrustBundleDocument } from '@sextant/workload-identity';
import { SextantError, type Logger } from '@sextant/util';
import type { IssuedToken, TokenRequest } from './bootstrap-token';
import { bearerFrom } from './authenticator';

export { ADMIN_SECRET_FILE, BOOTSTRAP_TOKENS_PATH, ROTATE_ROOT_PATH, adminSecretPath };

/** Reads the admin secret, creating it (64 hex chars, mode 0600) the first time. */
export function loadOrCreateAdminSecret(path: string): string {
  if (existsSync(path)) {
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length < 32) throw new Error(`admin secret ${path} is shorter than 32 characters; remove it to create a new one`);
    return secret;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

/** What the routes need from Citadel. */
export interface CitadelAdminApi {
  issueToken(req: TokenRequest): IssuedToken;
  rotateRoot(): Promise<{ previous: string; current: string; bundleVersion: number }>;
  summary(): Record<string, unknown>;
  bundleDocument(): TrustBundleDocument;
}

export interface AdminRoutesOptions {
  admin: AdminServer;
  api: CitadelAdminApi;
  secret: string;
  allowRemote: boolean;
  logger: Logger;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const HTTP_BY_SUFFIX: [RegExp, number][] = [
  [/_INVALID$/, 400],
  [/_UNAUTHENTICATED$/, 401],
  [/_DENIED$/, 403],
  [/_PRECONDITION$/, 409],
  [/_UNAVAILABLE$/, 503],
];

function httpStatus(err: unknown): number {
  if (!(err instanceof SextantError)) return 500;
  return HTTP_BY_SUFFIX.find(([re]) => re.test(err.code))?.[1] ?? 500;
}

export function registerAdminRoutes(opts: AdminRoutesOptions): void {
  const { admin, api, logger } = opts;
  const secret = Buffer.from(opts.secret);

  /** Undefined when allowed, else [status, message]. */
  const refuse = (remote: string | undefined, authorization: string | undefined): [number, string] | undefined => {
    if (!opts.allowRemote && !LOOPBACK.test(remote ?? '')) return [403, `only local callers may use this endpoint (peer ${remote})`];
    const given = Buffer.from(bearerFrom([authorization ?? '']) ?? '');
    if (given.length !== secret.length || !timingSafeEqual(given, secret)) return [401, `send "authorization: Bearer <content of ${ADMIN_SECRET_FILE} in Citadel's data dir>"`];
    return undefined;
  };

  admin.app.post(BOOTSTRAP_TOKENS_PATH, async (req, reply) => {
    const denied = refuse(req.socket.remoteAddress, req.headers.authorization);
    if (denied) {
      logger.warn({ peer: req.socket.remoteAddress, status: denied[0] }, 'bootstrap token request refused');
      return reply.code(denied[0]).send({ error: 'ADMIN_DENIED', message: denied[1] });
    }
    const body = (req.body ?? {}) as { namespace?: unknown; serviceAccount?: unknown; ttlSeconds?: unknown; uses?: unknown };
    try {
      const issued = api.issueToken({
        namespace: String(body.namespace ?? ''),
        serviceAccount: String(body.serviceAccount ?? ''),
        ttlMs: body.ttlSeconds === undefined ? undefined : Number(body.ttlSeconds) * 1000,
        uses: body.uses === undefined ? undefined : Number(body.uses),
      });
      logger.info({ spiffeId: issued.spiffeId, tokenId: issued.id, expiresAt: issued.expiresAt, uses: issued.uses, peer: req.socket.remoteAddress }, 'bootstrap token issued');
      return reply.code(201).send(issued);
    } catch (err) {
      logger.warn({ err, body: { namespace: body.namespace, serviceAccount: body.serviceAccount } }, 'bootstrap token not issued');
      return reply.code(httpStatus(err)).send({ error: (err as SextantError).code ?? 'INTERNAL', message: (err as Error).message });
    }
  });

  admin.app.post(ROTATE_ROOT_PATH, async (req, reply) => {
    const denied = refuse(req.socket.remoteAddress, req.headers.authorization);
    if (denied) return reply.code(denied[0]).send({ error: 'ADMIN_DENIED', message: denied[1] });
    try {
      return reply.code(200).send(await api.rotateRoot());
    } catch (err) {
      logger.warn({ err }, 'root rotation refused');
      return reply.code(httpStatus(err)).send({ error: (err as SextantError).code ?? 'INTERNAL', message: (err as Error).message });
    }
  });

  admin.registerDebugHandler('ca', 'the CA: mode, signing certificate, chain, lifetimes, authenticators', async () => api.summary());
  admin.registerDebugHandler('trust_bundle', 'the trust bundle Citadel publishes (roots, version, retirement times)', async () => api.bundleDocument());
}
