// The reference evaluator of the jwt_authn config we emit (Envoy's
// semantics, the subset the proxy implements). Signature checking is the
// proxy's job: a test token states whether it verifies under the provider's
// JWKS (`valid`). What this models: token extraction per provider, issuer and
// audience checks, the requirement tree (provider, requires_any,
// requires_all, allow_missing), the 401 responses, and the payload written
// to dynamic metadata for RBAC.
import { headerValue, type HeaderMap } from './envoy-match';
import type { JwtAuthnConfig, JwtProviderObject, JwtRequirementObject } from './rbac-types';
import { JWT_METADATA_NAMESPACE } from './type-urls';

/** A token the client sends, and where. Default location: `Authorization: Bearer <token>`. */
export interface TestJwt {
  issuer: string;
  /** Payload claims besides `iss` (`sub`, `aud`, `groups`, ...). */
  claims?: Record<string, unknown>;
  /** Whether signature, exp and nbf verify under the provider's JWKS (default true). */
  valid?: boolean;
  header?: { name: string; prefix?: string };
  param?: string;
  cookie?: string;
}

/** Envoy's verification statuses, as far as the outcome differs. */
export type JwtStatus = 'ok' | 'missing' | 'unknown-issuer' | 'verification-failed' | 'audience-not-allowed';

/** The 401 body Envoy sends for each failure. */
export const JWT_FAILURE_BODY: Record<Exclude<JwtStatus, 'ok'>, string> = {
  missing: 'Jwt is missing',
  'unknown-issuer': 'Jwt issuer is not configured',
  'verification-failed': 'Jwt verification fails',
  'audience-not-allowed': 'Audiences in Jwt are not allowed',
};

export type JwtResult =
  | {
      ok: true;
      /** Verified payloads, provider name -> payload (before normalization). */
      verified: Record<string, Record<string, unknown>>;
      /** Dynamic metadata written (namespace envoy.filters.http.jwt_authn). */
      metadata: Record<string, Record<string, unknown>>;
      /** Request headers jwt_authn removes (the token's header when `forward` is false) and adds (payload, claims). */
      removeHeaders: string[];
      addHeaders: Record<string, string>;
      bypassed?: true;
    }
  | { ok: false; status: 401; body: string; reason: JwtStatus };

function sameHeader(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether a provider extracts the token from where the client put it. */
export function providerExtracts(p: JwtProviderObject, t: TestJwt): boolean {
  const custom = (p.fromHeaders?.length ?? 0) + (p.fromParams?.length ?? 0) + (p.fromCookies?.length ?? 0) > 0;
  const header = t.header ?? (t.param === undefined && t.cookie === undefined ? { name: 'Authorization', prefix: 'Bearer ' } : undefined);
  if (header) {
    const headers = custom ? (p.fromHeaders ?? []) : [{ name: 'Authorization', valuePrefix: 'Bearer ' }];
    return headers.some((h) => sameHeader(h.name, header.name) && (h.valuePrefix ?? '') === (header.prefix ?? ''));
  }
  if (t.param !== undefined) return custom ? (p.fromParams ?? []).includes(t.param) : t.param === 'access_token';
  return t.cookie !== undefined && (p.fromCookies ?? []).includes(t.cookie);
}

function providerStatus(p: JwtProviderObject, t: TestJwt | undefined): JwtStatus {
  if (!t || !providerExtracts(p, t)) return 'missing';
  if (p.issuer && p.issuer !== t.issuer) return 'unknown-issuer';
  if (t.valid === false) return 'verification-failed';
  if (p.audiences?.length) {
    const aud = t.claims?.['aud'];
    const list = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
    if (!list.some((a) => p.audiences!.includes(a as string))) return 'audience-not-allowed';
  }
  return 'ok';
}

/** Statuses that mean "no token for this provider" (allow_missing lets them through). */
export const NOT_PRESENT: ReadonlySet<JwtStatus> = new Set(['missing', 'unknown-issuer']);

/** Envoy's requirement tree over per-provider statuses (computed lazily by `status`). */
export function evaluateRequirement(req: JwtRequirementObject, status: (name: string) => JwtStatus): JwtStatus {
  if (req.providerName !== undefined) return status(req.providerName);
  if (req.allowMissing) return 'ok';
  if (req.requiresAll) {
    for (const r of req.requiresAll.requirements) {
      const s = evaluateRequirement(r, status);
      if (s !== 'ok') return s;
    }
    return 'ok';
  }
  if (req.requiresAny) {
    const children = req.requiresAny.requirements.filter((r) => !r.allowMissing);
    const allowMissing = children.length !== req.requiresAny.requirements.length;
    let final: JwtStatus = 'missing';
    for (const r of children) {
      const s = evaluateRequirement(r, status);
      if (s === 'ok') return 'ok';
      if (!NOT_PRESENT.has(s)) final = s;
    }
    return allowMissing && final === 'missing' ? 'ok' : final;
  }
  return 'missing';
}

/** A payload as jwt_authn writes it to metadata: listed space-delimited string claims become lists. */
export function normalizedPayload(p: JwtProviderObject, payload: Record<string, unknown>): Record<string, unknown> {
  const out = { ...payload };
  for (const c of p.normalizePayloadInMetadata?.spaceDelimitedClaims ?? []) {
    const v = out[c];
    if (typeof v === 'string') out[c] = v.split(' ').filter((s) => s !== '');
  }
  return out;
}

export interface JwtRequest {
  method: string;
  headers: HeaderMap;
  jwt?: TestJwt;
}

export function evaluateJwtAuthn(cfg: JwtAuthnConfig, req: JwtRequest): JwtResult {
  const preflight = req.method === 'OPTIONS' && headerValue(req.headers, 'origin') !== undefined && headerValue(req.headers, 'access-control-request-method') !== undefined;
  if (cfg.bypassCorsPreflight && preflight) return { ok: true, verified: {}, metadata: {}, removeHeaders: [], addHeaders: {}, bypassed: true };
  const statuses = new Map<string, JwtStatus>();
  const status = (name: string): JwtStatus => {
    let s = statuses.get(name);
    if (s === undefined) {
      const p = cfg.providers[name];
      s = p ? providerStatus(p, req.jwt) : 'unknown-issuer';
      statuses.set(name, s);
    }
    return s;
  };
  // Every rule matches (prefix "/"); the first one applies.
  const rule = cfg.rules[0];
  const result = rule ? evaluateRequirement(rule.requires, status) : 'ok';
  if (result !== 'ok') return { ok: false, status: 401, body: JWT_FAILURE_BODY[result], reason: result };
  const verified: Record<string, Record<string, unknown>> = {};
  const metadata: Record<string, unknown> = {};
  const removeHeaders: string[] = [];
  const addHeaders: Record<string, string> = {};
  for (const [name, p] of Object.entries(cfg.providers).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!req.jwt || status(name) !== 'ok') continue;
    const payload = { iss: req.jwt.issuer, ...(req.jwt.claims ?? {}) };
    verified[name] = payload;
    metadata[p.payloadInMetadata] = normalizedPayload(p, payload);
    const header = req.jwt.header?.name ?? (req.jwt.param === undefined && req.jwt.cookie === undefined ? 'authorization' : undefined);
    if (!p.forward && header) removeHeaders.push(header.toLowerCase());
    if (p.forwardPayloadHeader) addHeaders[p.forwardPayloadHeader.toLowerCase()] = Buffer.from(JSON.stringify(payload)).toString('base64url');
    for (const c of p.claimToHeaders ?? []) {
      const v = payload[c.claimName as keyof typeof payload];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') addHeaders[c.headerName.toLowerCase()] = String(v);
    }
  }
  return { ok: true, verified, metadata: Object.keys(metadata).length > 0 ? { [JWT_METADATA_NAMESPACE]: metadata } : {}, removeHeaders, addHeaders };
}
