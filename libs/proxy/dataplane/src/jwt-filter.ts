// envoy.filters.http.jwt_authn: per provider, find the token where the
// provider looks (headers with prefixes, query parameters, cookies; default
// `Authorization: Bearer` and `access_token`), check issuer and audiences,
// verify signature, exp and nbf (clock skew) with jose against the
// provider's JWKS; then the requirement tree (@sextant/policy) decides.
// Success: verified payloads in the request's metadata for RBAC, token
// header stripped unless `forward`, payload and claim headers added.
// Failure: 401 with Envoy's body and `www-authenticate`.
import type { DynamicMetadata, JwtStatus } from '@sextant/policy';
import { evaluateRequirement, JWT_FAILURE_BODY, JWT_METADATA_NAMESPACE } from '@sextant/policy';
import type { JwtAuthnFilterConfig, JwtProviderConfig } from '@sextant/xds-client';
import type { JWTPayload } from 'jose';
import { getHeader, removeHeader, setHeader } from './headers';
import { loadJose } from './jose-lazy';
import type { JwksCache } from './jwks-cache';

export interface JwtRequestView {
  method: string;
  path: string;
  headers: string[];
}

interface Found {
  token: string;
  /** The header it came from (lower-case), when from a header. */
  header?: string;
}

function extract(p: JwtProviderConfig, req: JwtRequestView): Found | undefined {
  const custom = p.fromHeaders.length + p.fromParams.length + p.fromCookies.length > 0;
  const headers = custom ? p.fromHeaders : [{ name: 'authorization', valuePrefix: 'Bearer ' }];
  for (const h of headers) {
    const v = getHeader(req.headers, h.name);
    if (v !== undefined && v.startsWith(h.valuePrefix)) {
      const token = v.slice(h.valuePrefix.length).trim();
      if (token) return { token, header: h.name };
    }
  }
  const params = custom ? p.fromParams : ['access_token'];
  const q = req.path.indexOf('?');
  if (params.length > 0 && q >= 0) {
    const search = new URLSearchParams(req.path.slice(q + 1).split('#', 1)[0]);
    for (const name of params) {
      const v = search.get(name);
      if (v) return { token: v };
    }
  }
  if (p.fromCookies.length > 0) {
    const cookies = getHeader(req.headers, 'cookie') ?? '';
    for (const part of cookies.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && p.fromCookies.includes(part.slice(0, eq).trim())) return { token: part.slice(eq + 1).trim() };
    }
  }
  return undefined;
}

interface ProviderResult {
  status: JwtStatus;
  found?: Found;
  payload?: JWTPayload;
}

async function verifyProvider(p: JwtProviderConfig, req: JwtRequestView, jwks: JwksCache): Promise<ProviderResult> {
  const found = extract(p, req);
  if (found === undefined) return { status: 'missing' };
  const { decodeJwt, errors: joseErrors, jwtVerify } = await loadJose();
  let claims: JWTPayload;
  try {
    claims = decodeJwt(found.token);
  } catch {
    return { status: 'verification-failed', found };
  }
  if (p.issuer && claims.iss !== p.issuer) return { status: 'unknown-issuer', found };
  if (p.audiences.length > 0) {
    const aud = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
    if (!aud.some((a) => p.audiences.includes(a))) return { status: 'audience-not-allowed', found };
  }
  try {
    const keys = await jwks.get(p.jwks);
    const { payload } = await jwtVerify(found.token, keys, {
      clockTolerance: p.clockSkewSeconds,
      ...(p.requiresExpiration ? { requiredClaims: ['exp'] } : {}),
    });
    return { status: 'ok', found, payload };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof Error) return { status: 'verification-failed', found };
    throw err;
  }
}

export type JwtOutcome = { ok: true; metadata: DynamicMetadata; bypassed?: true } | { ok: false; status: JwtStatus; body: string; wwwAuthenticate: string };

function normalized(p: JwtProviderConfig, payload: JWTPayload): Record<string, unknown> {
  const out: Record<string, unknown> = { ...payload };
  for (const c of p.spaceDelimitedClaims) {
    const v = out[c];
    if (typeof v === 'string') out[c] = v.split(' ').filter((s) => s !== '');
  }
  return out;
}

/** Runs the filter on a request; mutates its headers on success. */
export async function runJwtAuthn(cfg: JwtAuthnFilterConfig, req: JwtRequestView, authority: string, scheme: string, jwks: JwksCache): Promise<JwtOutcome> {
  const preflight = req.method === 'OPTIONS' && getHeader(req.headers, 'origin') !== undefined && getHeader(req.headers, 'access-control-request-method') !== undefined;
  if (cfg.bypassCorsPreflight && preflight) return { ok: true, metadata: {}, bypassed: true };
  if (cfg.requires === undefined) return { ok: true, metadata: {} };
  const names = Object.keys(cfg.providers).sort();
  const results = new Map<string, ProviderResult>();
  await Promise.all(names.map(async (n) => results.set(n, await verifyProvider(cfg.providers[n]!, req, jwks))));
  const verdict = evaluateRequirement(cfg.requires, (name) => results.get(name)?.status ?? 'unknown-issuer');
  if (verdict !== 'ok') {
    const url = `${scheme}://${authority}${req.path.split('?', 1)[0]}`;
    return { ok: false, status: verdict, body: JWT_FAILURE_BODY[verdict], wwwAuthenticate: `Bearer realm="${url}", error="invalid_token"` };
  }
  const metadata: Record<string, unknown> = {};
  for (const n of names) {
    const p = cfg.providers[n]!;
    const r = results.get(n)!;
    if (r.status !== 'ok' || r.payload === undefined || r.found === undefined) continue;
    if (p.payloadInMetadata) metadata[p.payloadInMetadata] = normalized(p, r.payload);
    if (!p.forward && r.found.header !== undefined) removeHeader(req.headers, r.found.header);
    if (p.forwardPayloadHeader) setHeader(req.headers, p.forwardPayloadHeader, r.found.token.split('.')[1] ?? '');
    for (const c of p.claimToHeaders) {
      const v = r.payload[c.claimName];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') setHeader(req.headers, c.headerName, String(v));
    }
  }
  return { ok: true, metadata: Object.keys(metadata).length > 0 ? { [JWT_METADATA_NAMESPACE]: metadata } : {} };
}
