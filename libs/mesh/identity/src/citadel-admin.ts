// How a local tool (the `sextant up` runner, tests) asks Citadel for a
// bootstrap token: POST /ca/bootstrap-tokens on Citadel's admin port with
// the admin secret from Citadel's data dir (<dataDir>/admin.secret, mode
// 0600). Citadel only answers loopback callers unless told otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_SECRET_FILE = 'admin.secret';
export const BOOTSTRAP_TOKENS_PATH = '/ca/bootstrap-tokens';
export const ROTATE_ROOT_PATH = '/ca/rotate-root';

export function adminSecretPath(dataDir: string): string {
  return join(dataDir, ADMIN_SECRET_FILE);
}

/** Citadel's answer to POST /ca/bootstrap-tokens (201). */
export interface IssuedToken {
  /** The bearer token (sxt1....) for one identity; single use unless asked otherwise. */
  token: string;
  id: string;
  spiffeId: string;
  expiresAt: string;
  uses: number;
}

export interface BootstrapTokenRequest {
  namespace: string;
  serviceAccount: string;
  ttlSeconds?: number;
  uses?: number;
}

export interface AdminClientOptions {
  /** Citadel's admin base URL, e.g. http://127.0.0.1:15014 */
  adminUrl: string;
  /** The admin secret, or Citadel's data dir to read it from (<dataDir>/admin.secret). */
  secret?: string;
  dataDir?: string;
  timeoutMs?: number;
}

function secretOf(opts: AdminClientOptions): string {
  if (opts.secret) return opts.secret;
  if (!opts.dataDir) throw new Error("give Citadel's admin secret or Citadel's data dir");
  return readFileSync(adminSecretPath(opts.dataDir), 'utf8').trim();
}

async function post<T>(opts: AdminClientOptions, path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, opts.adminUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${secretOf(opts)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: string; message?: string };
  if (!res.ok) throw new Error(`Citadel ${path} answered ${res.status}: ${json.error ?? ''} ${json.message ?? ''}`.trim());
  return json;
}

export function requestBootstrapToken(opts: AdminClientOptions, req: BootstrapTokenRequest): Promise<IssuedToken> {
  return post<IssuedToken>(opts, BOOTSTRAP_TOKENS_PATH, req);
}

export function requestRootRotation(opts: AdminClientOptions): Promise<{ previous: string; current: string; bundleVersion: number }> {
  return post(opts, ROTATE_ROOT_PATH, {});
}
