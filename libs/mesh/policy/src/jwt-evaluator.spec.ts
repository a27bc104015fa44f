import { describe, expect, it } from 'vitest';
import { evaluateJwtAuthn, evaluateRequirement, type JwtStatus } from './jwt-evaluator';
import type { JwtAuthnConfig, JwtRequirementObject } from './rbac-types';
import { JWT_METADATA_NAMESPACE, SECURITY_TYPED } from './type-urls';

const statuses = (m: Record<string, JwtStatus>) => (name: string) => m[name] ?? 'missing';
const anyOf = (...r: JwtRequirementObject[]): JwtRequirementObject => ({ requiresAny: { requirements: r } });
const allOf = (...r: JwtRequirementObject[]): JwtRequirementObject => ({ requiresAll: { requirements: r } });
const p = (providerName: string): JwtRequirementObject => ({ providerName });
const allowMissing: JwtRequirementObject = { allowMissing: {} };

describe('evaluateRequirement (Envoy requirement tree)', () => {
  it('requires_any with allow_missing: missing and unknown issuers pass, a bad token fails', () => {
    const tree = anyOf(p('a'), allowMissing);
    expect(evaluateRequirement(tree, statuses({}))).toBe('ok');
    expect(evaluateRequirement(tree, statuses({ a: 'unknown-issuer' }))).toBe('ok');
    expect(evaluateRequirement(tree, statuses({ a: 'verification-failed' }))).toBe('verification-failed');
    expect(evaluateRequirement(anyOf(p('a')), statuses({}))).toBe('missing');
  });
  it('requires_any: any ok child wins; otherwise the last real failure', () => {
    const tree = anyOf(p('a'), p('b'), allOf(anyOf(p('a'), allowMissing), anyOf(p('b'), allowMissing)));
    expect(evaluateRequirement(tree, statuses({ b: 'ok' }))).toBe('ok');
    expect(evaluateRequirement(tree, statuses({ a: 'audience-not-allowed', b: 'unknown-issuer' }))).toBe('audience-not-allowed');
    expect(evaluateRequirement(tree, statuses({}))).toBe('ok');
  });
  it('requires_all: the first failure', () => {
    expect(evaluateRequirement(allOf(p('a'), p('b')), statuses({ a: 'ok', b: 'verification-failed' }))).toBe('verification-failed');
    expect(evaluateRequirement(allOf(p('a'), p('b')), statuses({ a: 'ok', b: 'ok' }))).toBe('ok');
  });
});

describe('evaluateJwtAuthn', () => {
  const cfg: JwtAuthnConfig = {
    '@type': SECURITY_TYPED.jwtAuthn,
    providers: { 'origins-0': { issuer: 'iss', forward: false, payloadInMetadata: 'payload', normalizePayloadInMetadata: { spaceDelimitedClaims: ['scope'] }, claimToHeaders: [{ headerName: 'x-sub', claimName: 'sub' }] } },
    rules: [{ match: { prefix: '/' }, requires: anyOf(p('origins-0'), allowMissing) }],
    bypassCorsPreflight: true,
  };
  it('a valid token: payload in metadata (scope split), header stripped, claim copied', () => {
    const r = evaluateJwtAuthn(cfg, { method: 'GET', headers: {}, jwt: { issuer: 'iss', claims: { sub: 'me', scope: 'a b' } } });
    expect(r).toMatchObject({ ok: true, removeHeaders: ['authorization'], addHeaders: { 'x-sub': 'me' } });
    expect(r.ok && r.metadata[JWT_METADATA_NAMESPACE]).toEqual({ payload: { iss: 'iss', sub: 'me', scope: ['a', 'b'] } });
  });
  it('an invalid token: 401 with Envoy body; CORS preflight bypasses', () => {
    expect(evaluateJwtAuthn(cfg, { method: 'GET', headers: {}, jwt: { issuer: 'iss', valid: false } })).toMatchObject({ ok: false, status: 401, body: 'Jwt verification fails' });
    const pre = evaluateJwtAuthn(cfg, { method: 'OPTIONS', headers: { origin: 'x', 'access-control-request-method': 'GET' }, jwt: { issuer: 'iss', valid: false } });
    expect(pre).toMatchObject({ ok: true, bypassed: true });
  });
});
