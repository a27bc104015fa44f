// Decoder for envoy.filters.http.jwt_authn (JwtAuthentication) into the
// proxy's typed config: providers (issuer, audiences, local or remote JWKS,
// where tokens are, what to forward), one requirement for every request,
// CORS preflight bypass. The subset Pilot emits (libs/pilot/security README,
// "The Envoy subset" §3); other fields are NACKed with their path, except
// harmless tuning that is accepted with a warning.
import type { JwtRequirementObject } from '@sextant/policy';
import { durationMs, type DurationLike, type Issues } from './decode-support';

/* eslint-disable @typescript-eslint/no-explicit-any -- decoded protobuf messages (defaults filled, oneofs named) */
type Msg = Record<string, any>;

export type JwksSource =
  | { kind: 'local'; json: string }
  /** GET `uri` through `cluster` within `timeoutMs`; keep the keys `cacheMs`. */
  | { kind: 'remote'; uri: string; cluster: string; timeoutMs: number; cacheMs: number };

export interface JwtProviderConfig {
  name: string;
  /** Empty: any issuer. */
  issuer: string;
  audiences: string[];
  jwks: JwksSource;
  forward: boolean;
  /** Where to look; all empty: `Authorization: Bearer` and `access_token`. */
  fromHeaders: { name: string; valuePrefix: string }[];
  fromParams: string[];
  fromCookies: string[];
  forwardPayloadHeader: string;
  /** Empty: the payload is not written to metadata. */
  payloadInMetadata: string;
  spaceDelimitedClaims: string[];
  claimToHeaders: { headerName: string; claimName: string }[];
  clockSkewSeconds: number;
  requiresExpiration: boolean;
}

export interface JwtAuthnFilterConfig {
  providers: Record<string, JwtProviderConfig>;
  /** The requirement for every request (a rule matching prefix "/"); undefined: no verification required. */
  requires: JwtRequirementObject | undefined;
  bypassCorsPreflight: boolean;
}

const DEFAULT_JWKS_CACHE_MS = 300_000;
const DEFAULT_JWKS_TIMEOUT_MS = 1_000;

function decodeJwks(p: Msg, path: string, issues: Issues): JwksSource {
  if (p['jwksSourceSpecifier'] === 'localJwks') {
    const ds = p['localJwks'] as Msg;
    let json = '';
    if (ds['specifier'] === 'inlineString') json = String(ds['inlineString']);
    else if (ds['specifier'] === 'inlineBytes') json = Buffer.from(ds['inlineBytes'] as Uint8Array).toString('utf8');
    else issues.error(`${path}.localJwks`, `${ds['specifier'] ?? '(none)'} is not supported (inline_string, inline_bytes)`);
    try {
      const keys = (JSON.parse(json) as { keys?: unknown }).keys;
      if (!Array.isArray(keys)) issues.error(`${path}.localJwks`, 'the JWKS has no "keys" list');
    } catch (err) {
      issues.error(`${path}.localJwks`, `not JSON: ${(err as Error).message}`);
    }
    return { kind: 'local', json };
  }
  if (p['jwksSourceSpecifier'] === 'remoteJwks') {
    const r = p['remoteJwks'] as Msg;
    const http = (r['httpUri'] ?? {}) as Msg;
    const uri = String(http['uri'] ?? '');
    const cluster = String(http['cluster'] ?? '');
    if (!/^https?:\/\//.test(uri)) issues.error(`${path}.remoteJwks.httpUri.uri`, `${JSON.stringify(uri)} is not an http(s) URL`);
    if (!cluster) issues.error(`${path}.remoteJwks.httpUri.cluster`, 'a cluster is required to fetch the JWKS');
    if (r['asyncFetch']) issues.warn(`${path}.remoteJwks.asyncFetch`, 'ignored: keys are fetched on first use');
    if (r['retryPolicy']) issues.warn(`${path}.remoteJwks.retryPolicy`, 'ignored: a failed fetch is retried on the next request');
    return {
      kind: 'remote',
      uri,
      cluster,
      timeoutMs: durationMs(http['timeout'] as DurationLike | null, DEFAULT_JWKS_TIMEOUT_MS),
      cacheMs: durationMs(r['cacheDuration'] as DurationLike | null, DEFAULT_JWKS_CACHE_MS),
    };
  }
  issues.error(path, 'local_jwks or remote_jwks is required');
  return { kind: 'local', json: '{"keys":[]}' };
}

function decodeProvider(name: string, p: Msg, path: string, issues: Issues): JwtProviderConfig {
  const unsupported: [string, unknown][] = [
    ['subjects', p['subjects']],
    ['maxLifetime', p['maxLifetime']],
    ['headerInMetadata', p['headerInMetadata']],
    ['failedStatusInMetadata', p['failedStatusInMetadata']],
    ['padForwardPayloadHeader', p['padForwardPayloadHeader']],
  ];
  for (const [field, v] of unsupported) if (v) issues.error(`${path}.${field}`, 'not supported');
  if (p['jwtCacheConfig']) issues.warn(`${path}.jwtCacheConfig`, 'ignored: verified tokens are not cached');
  if (p['clearRouteCache']) issues.warn(`${path}.clearRouteCache`, 'accepted: the route is always chosen after authentication');
  const fromHeaders = ((p['fromHeaders'] ?? []) as Msg[]).map((h, i) => {
    if (!h['name']) issues.error(`${path}.fromHeaders[${i}].name`, 'empty header name');
    return { name: String(h['name']).toLowerCase(), valuePrefix: String(h['valuePrefix'] ?? '') };
  });
  const claimToHeaders = ((p['claimToHeaders'] ?? []) as Msg[]).map((c, i) => {
    if (!c['headerName'] || !c['claimName']) issues.error(`${path}.claimToHeaders[${i}]`, 'header_name and claim_name are required');
    return { headerName: String(c['headerName']).toLowerCase(), claimName: String(c['claimName']) };
  });
  return {
    name,
    issuer: String(p['issuer'] ?? ''),
    audiences: ((p['audiences'] ?? []) as unknown[]).map(String),
    jwks: decodeJwks(p, path, issues),
    forward: Boolean(p['forward']),
    fromHeaders,
    fromParams: ((p['fromParams'] ?? []) as unknown[]).map(String),
    fromCookies: ((p['fromCookies'] ?? []) as unknown[]).map(String),
    forwardPayloadHeader: String(p['forwardPayloadHeader'] ?? '').toLowerCase(),
    payloadInMetadata: String(p['payloadInMetadata'] ?? ''),
    spaceDelimitedClaims: [...new Set(['scope', 'permission', ...((p['normalizePayloadInMetadata']?.spaceDelimitedClaims ?? []) as string[])])],
    claimToHeaders,
    clockSkewSeconds: p['clockSkewSeconds'] ? Number(p['clockSkewSeconds']) : 60,
    requiresExpiration: Boolean(p['requireExpiration']),
  };
}

function decodeRequirement(r: Msg | null, path: string, issues: Issues, providers: Record<string, unknown>): JwtRequirementObject {
  switch (r?.['requiresType']) {
    case 'providerName':
      if (!(r['providerName'] in providers)) issues.error(`${path}.providerName`, `no provider named ${JSON.stringify(r['providerName'])}`);
      return { providerName: String(r['providerName']) };
    case 'requiresAny':
    case 'requiresAll': {
      const kind = r['requiresType'] as 'requiresAny' | 'requiresAll';
      const list = ((r[kind]?.requirements ?? []) as Msg[]).map((x, i) => decodeRequirement(x, `${path}.${kind}.requirements[${i}]`, issues, providers));
      if (list.length < 2) issues.error(`${path}.${kind}.requirements`, 'at least two requirements are required');
      return kind === 'requiresAny' ? { requiresAny: { requirements: list } } : { requiresAll: { requirements: list } };
    }
    case 'allowMissing':
      return { allowMissing: {} };
    default:
      issues.error(path, `requirement ${r?.['requiresType'] ?? '(none)'} is not supported (provider_name, requires_any, requires_all, allow_missing)`);
      return { providerName: '' };
  }
}

export function decodeJwtAuthn(msg: Msg, path: string, issues: Issues): JwtAuthnFilterConfig {
  const providers: Record<string, JwtProviderConfig> = {};
  for (const [name, p] of Object.entries((msg['providers'] ?? {}) as Record<string, Msg>)) providers[name] = decodeProvider(name, p, `${path}.providers[${name}]`, issues);
  if (msg['filterStateRules']) issues.error(`${path}.filterStateRules`, 'not supported');
  if (msg['requirementMap'] && Object.keys(msg['requirementMap']).length > 0) issues.error(`${path}.requirementMap`, 'not supported (per-route requirements)');
  if (msg['stripFailureResponse']) issues.error(`${path}.stripFailureResponse`, 'not supported');
  const rules = (msg['rules'] ?? []) as Msg[];
  let requires: JwtRequirementObject | undefined;
  rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`;
    const m = (rule['match'] ?? {}) as Msg;
    const everything = m['pathSpecifier'] === 'prefix' && m['prefix'] === '/' && !(m['headers']?.length) && !(m['queryParameters']?.length);
    if (!everything) issues.error(`${at}.match`, 'only a rule matching every request (prefix "/") is supported');
    if (i > 0) issues.error(at, 'only one rule is supported');
    if (rule['requirementName']) issues.error(`${at}.requirementName`, 'not supported');
    if (i === 0 && rule['requires']) requires = decodeRequirement(rule['requires'], `${at}.requires`, issues, providers);
  });
  return { providers, requires, bypassCorsPreflight: Boolean(msg['bypassCorsPreflight']) };
}
