// How a local tool (the `sextant up` runner) asks Citadel for a bootstrap
// token: read the admin secret from Citadel's data dir, POST to the admin port.
import { readFileSync } from 'node:fs';
import type { IssuedToken } from './bootstrap-token';
import { BOOTSTRAP_TOKENS_PATH, ROTATE_ROOT_PATH, adminSecretPath } from './admin-routes';

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
  if (!opts.dataDir) throw new Error('give the admin secret or Citadel\'s data dir');
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

export function requestBootstrapToken(
  opts: AdminClientOptions,
  req: { namespace: string; serviceAccount: string; ttlSeconds?: number; uses?: number },
): Promise<IssuedToken> {
  return post<IssuedToken>(opts, BOOTSTRAP_TOKENS_PATH, req);
}

export function requestRootRotation(opts: AdminClientOptions): Promise<{ previous: string; current: string; bundleVersion: number }> {
  return post(opts, ROTATE_ROOT_PATH, {});
}
