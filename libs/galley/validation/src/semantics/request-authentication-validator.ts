// RequestAuthentication semantics: targets and JWT rules (issuer, JWKS
// source, token locations, claim-to-header output, timeout).
import type { JWTRule, RequestAuthenticationSpec } from '@sextant/config-model';
import { checkPolicyTargets } from '../checks/common';
import { checkStrictHeaderName } from '../checks/headers';
import { checkDuration } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';
import type { SemanticInput } from './semantic-input';

/** A JWKS URI: an http(s) URL with a host and, if given, a numeric port. */
export function checkJwksUri(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `jwksUri ${JSON.stringify(uri)} is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `URI scheme ${JSON.stringify(url.protocol.replace(/:$/, ''))} is not supported: use http or https`;
  if (url.hostname === '') return `jwksUri ${JSON.stringify(uri)} has no host`;
  return undefined;
}

const PRIVATE_PARAMS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** Inline JWKS: a JSON Web Key or a set of them. Returns the parse error, and warns about private keys. */
function checkJwks(f: Findings, path: string, jwks: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwks);
  } catch (err) {
    f.error(path, 'INVALID_VALUE', `jwks parse error: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const keys = isObj(parsed) && Array.isArray(parsed['keys']) ? parsed['keys'] : isObj(parsed) && 'kty' in parsed ? [parsed] : undefined;
  if (!keys) {
    f.error(path, 'INVALID_VALUE', 'jwks parse error: expected a JSON Web Key Set ({"keys": [...]}) or a JSON Web Key');
    return;
  }
  keys.forEach((key, i) => {
    if (!isObj(key) || typeof key['kty'] !== 'string') {
      f.error(path, 'INVALID_VALUE', `jwks parse error: key at index ${i} has no "kty"`);
    } else if (key['kty'] === 'oct' || PRIVATE_PARAMS.some((p) => p in key)) {
      f.warn(path, 'SUSPICIOUS', `jwks key at index ${i} contains private key material; only public keys are used for verification`);
    }
  });
}

function checkJwtRule(f: Findings, path: string, rule: JWTRule): void {
  rule.audiences?.forEach((a, i) => {
    if (a === '') f.error(itemPath(at(path, 'audiences'), i), 'INVALID_VALUE', 'audience must be non-empty string');
  });
  const jwksUri = rule.jwksUri ?? rule.jwks_uri ?? '';
  if (!rule.issuer && !jwksUri) f.error(at(path, 'issuer'), 'REQUIRED', 'issuer or jwksUri must be non-empty string');
  if (jwksUri) f.check(at(path, rule.jwksUri !== undefined ? 'jwksUri' : 'jwks_uri'), 'INVALID_ADDRESS', checkJwksUri(jwksUri));
  if (rule.jwks) checkJwks(f, at(path, 'jwks'), rule.jwks);
  rule.fromHeaders?.forEach((h, i) => {
    if (!h.name) f.error(at(itemPath(at(path, 'fromHeaders'), i), 'name'), 'REQUIRED', 'location header name must be non-empty string');
  });
  rule.fromParams?.forEach((p, i) => {
    if (!p) f.error(itemPath(at(path, 'fromParams'), i), 'INVALID_VALUE', 'location query must be non-empty string');
  });
  rule.fromCookies?.forEach((c, i) => {
    if (!c) f.error(itemPath(at(path, 'fromCookies'), i), 'INVALID_VALUE', 'cookie name must be non-empty string');
  });
  rule.outputClaimToHeaders?.forEach((o, i) => {
    const p = itemPath(at(path, 'outputClaimToHeaders'), i);
    if (!o.claim || !o.header) f.error(p, 'REQUIRED', 'outputClaimToHeaders header and claim value must be non-empty string');
    else f.check(at(p, 'header'), 'INVALID_HEADER', checkStrictHeaderName(o.header));
  });
  if (rule.outputPayloadToHeader) f.check(at(path, 'outputPayloadToHeader'), 'INVALID_HEADER', checkStrictHeaderName(rule.outputPayloadToHeader));
  if (rule.timeout !== undefined) f.check(at(path, 'timeout'), 'INVALID_DURATION', checkDuration(rule.timeout));
}

export function validateRequestAuthentication(f: Findings, { spec }: SemanticInput<RequestAuthenticationSpec>): void {
  checkPolicyTargets(f, spec);
  spec.jwtRules?.forEach((rule, i) => checkJwtRule(f, itemPath('spec.jwtRules', i), rule));
}
