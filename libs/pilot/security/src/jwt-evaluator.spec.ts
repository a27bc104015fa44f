import { describe, expect, it } from 'vitest';
import type { RequestAuthentication } from '@sextant/config-model';
import { jwtAuthnConfig } from './jwt-authn-builder';
import { evaluateJwtAuthn, type TestJwt } from './jwt-evaluator';

const ra = (jwtRules: NonNullable<RequestAuthentication['spec']['jwtRules']>): RequestAuthentication => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'RequestAuthentication',
  metadata: { name: 'r', namespace: 'foo' },
  spec: { jwtRules },
});

const two = jwtAuthnConfig([ra([{ issuer: 'a', jwks: 'k' }, { issuer: 'b', jwks: 'k', audiences: ['svc'] }])])!;
const run = (jwt?: TestJwt, method = 'GET', headers: Record<string, string> = {}) => evaluateJwtAuthn(two, { method, headers, ...(jwt ? { jwt } : {}) });

describe('Istio requirement over several providers sharing the Authorization header', () => {
  it('no token passes without a payload', () => {
    expect(run()).toMatchObject({ ok: true, verified: {}, metadata: {} });
  });
  it('a valid token of either issuer passes and lands in metadata', () => {
    const r = run({ issuer: 'a', claims: { sub: 's', scope: 'read write' } });
    expect(r).toMatchObject({ ok: true, verified: { 'origins-0': { iss: 'a', sub: 's', scope: 'read write' } } });
    expect(r.ok && r.metadata).toEqual({ 'envoy.filters.http.jwt_authn': { payload: { iss: 'a', sub: 's', scope: ['read', 'write'] } } });
    expect(run({ issuer: 'b', claims: { aud: 'svc' } }).ok).toBe(true);
  });
  it('a present but invalid token is 401, whatever the provider', () => {
    expect(run({ issuer: 'a', valid: false })).toEqual({ ok: false, status: 401, body: 'Jwt verification fails', reason: 'verification-failed' });
    expect(run({ issuer: 'b', claims: { aud: ['other'] } })).toMatchObject({ ok: false, reason: 'audience-not-allowed' });
  });
  it('an unknown issuer counts as missing (passes without payload)', () => {
    expect(run({ issuer: 'c' })).toMatchObject({ ok: true, verified: {} });
  });
  it('CORS preflights bypass verification', () => {
    expect(run({ issuer: 'a', valid: false }, 'OPTIONS', { Origin: 'https://x', 'Access-Control-Request-Method': 'GET' })).toMatchObject({ ok: true, bypassed: true });
    expect(run({ issuer: 'a', valid: false }, 'OPTIONS').ok).toBe(false);
  });
  it('removes the token header unless forwarded; adds payload and claim headers', () => {
    const cfg = jwtAuthnConfig([ra([{ issuer: 'a', jwks: 'k', outputPayloadToHeader: 'x-payload', outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }] }])])!;
    const r = evaluateJwtAuthn(cfg, { method: 'GET', headers: {}, jwt: { issuer: 'a', claims: { sub: 'me' } } });
    expect(r).toMatchObject({ ok: true, removeHeaders: ['authorization'], addHeaders: { 'x-payload': Buffer.from('{"iss":"a","sub":"me"}').toString('base64url'), 'x-sub': 'me' } });
    const fwd = jwtAuthnConfig([ra([{ issuer: 'a', jwks: 'k', forwardOriginalToken: true }])])!;
    expect(evaluateJwtAuthn(fwd, { method: 'GET', headers: {}, jwt: { issuer: 'a' } })).toMatchObject({ removeHeaders: [] });
  });
});

describe('token locations', () => {
  const custom = jwtAuthnConfig([ra([{ issuer: 'a', jwks: 'k', fromHeaders: [{ name: 'x-jwt', prefix: 'Token ' }], fromParams: ['t'], fromCookies: ['session'] }])])!;
  const where = (loc: Partial<TestJwt>) => evaluateJwtAuthn(custom, { method: 'GET', headers: {}, jwt: { issuer: 'a', valid: false, ...loc } });
  it('custom locations replace the default Authorization header', () => {
    expect(where({ header: { name: 'X-JWT', prefix: 'Token ' } }).ok).toBe(false);
    expect(where({ param: 't' }).ok).toBe(false);
    expect(where({ cookie: 'session' }).ok).toBe(false);
    expect(where({}).ok).toBe(true); // Authorization: Bearer is not looked at: missing
    expect(where({ header: { name: 'x-jwt', prefix: 'Bearer ' } }).ok).toBe(true);
  });
  it('default locations: Authorization Bearer and access_token', () => {
    const d = jwtAuthnConfig([ra([{ issuer: 'a', jwks: 'k' }])])!;
    expect(evaluateJwtAuthn(d, { method: 'GET', headers: {}, jwt: { issuer: 'a', valid: false, param: 'access_token' } }).ok).toBe(false);
    expect(evaluateJwtAuthn(d, { method: 'GET', headers: {}, jwt: { issuer: 'a', valid: false, cookie: 'c' } }).ok).toBe(true);
  });
});
