// The Kubernetes service-account token a sidecar presents to Citadel inside
// a pod, as istio-agent does: the kubelet projects a token for audience
// `istio-ca` into /var/run/secrets/tokens/istio-token and replaces it before
// it expires, so the file is read again for every CSR. The reader never
// logs the token itself, only its (unverified) claims: whose it is, for
// which audience, until when.
import { readFileSync } from 'node:fs';
import type { Logger } from '@sextant/util';

/** Where Istio's injection template mounts the projected token (JWT_POLICY=third-party-jwt). */
export const ISTIO_TOKEN_PATH = '/var/run/secrets/tokens/istio-token';
/** The audience Istio's CA expects the token to be minted for. */
export const ISTIO_CA_AUDIENCE = 'istio-ca';

export interface TokenClaims {
  sub?: string;
  aud?: string[];
  exp?: string;
}

/** The claims of a JWT, without verifying it (Citadel's TokenReview does that); undefined when it is not a JWT. */
export function unverifiedClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const c = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub?: unknown; aud?: unknown; exp?: unknown };
    const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud.map(String) : undefined;
    return {
      ...(typeof c.sub === 'string' ? { sub: c.sub } : {}),
      ...(aud ? { aud } : {}),
      ...(typeof c.exp === 'number' ? { exp: new Date(c.exp * 1000).toISOString() } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Reads the token file each time it is called: the token, or undefined when
 * the file is absent, unreadable or empty. Changes of state (first read, a
 * new token, the file gone) are logged once each.
 */
export function serviceAccountTokenReader(file: string, logger: Logger): () => string | undefined {
  let last: string | undefined;
  let lastError: string | undefined;
  return () => {
    let token: string | undefined;
    try {
      token = readFileSync(file, 'utf8').trim() || undefined;
      if (!token) throw new Error('the file is empty');
      lastError = undefined;
    } catch (err) {
      const message = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      if (message !== lastError) logger.warn({ file, err: message }, 'cannot read the service-account token file (--sa-token-file / PROXY_SA_TOKEN_FILE)');
      lastError = message;
      last = undefined;
      return undefined;
    }
    if (token !== last) logger.info({ file, claims: unverifiedClaims(token) ?? 'not a JWT' }, last === undefined ? 'service-account token read' : 'service-account token changed (rotated by the kubelet)');
    last = token;
    return token;
  };
}
