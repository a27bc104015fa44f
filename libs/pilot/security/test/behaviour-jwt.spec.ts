// RequestAuthentication + AuthorizationPolicy behaviour: Istio's
// "authorization with JWT" task on httpbin, end-user auth at the ingress
// gateway, and every condition attribute.
import { describe, expect, it } from 'vitest';
import { simulateSecurity, type SecurityConnection, type SecurityRequest } from '../src/security-simulator';
import type { TestJwt } from '../src/jwt-evaluator';
import { output } from './scenarios';
import { call, code, fromSidecar, listener } from './sim';

const ISS = 'testing@secure.istio.io';
const token = (claims: Record<string, unknown> = {}, extra: Partial<TestJwt> = {}): TestJwt => ({ issuer: ISS, claims: { sub: ISS, ...claims }, ...extra });

describe('authorization with JWT (httpbin in foo)', () => {
  const o = output('authz-jwt', 'foo.httpbin-0');
  const t = { config: o.config, warnings: o.warnings };
  const sleep = fromSidecar('foo', 'sleep', { sourceIp: '10.20.0.2' });
  const get = (jwt?: TestJwt) => call(t, 8080, sleep, { path: '/headers', ...(jwt ? { jwt } : {}) });

  it('an invalid token is rejected by jwt_authn: 401', () => {
    expect(get(token({ groups: ['group1'] }, { valid: false }))).toMatchObject({ status: 401, stage: 'jwt', body: 'Jwt verification fails' });
  });
  it('no token: authentication passes, the policy requiring a request principal denies: 403', () => {
    expect(get()).toMatchObject({ status: 403, stage: 'rbac', body: 'RBAC: access denied' });
  });
  it('a valid token whose groups claim contains group1: 200; without it: 403', () => {
    const ok = get(token({ groups: ['group1', 'group2'] }));
    expect(ok.status).toBe(200);
    expect(ok.metadata).toEqual({ 'envoy.filters.http.jwt_authn': { payload: { iss: ISS, sub: ISS, groups: ['group1', 'group2'] } } });
    expect(code(get(token({ groups: 'group1' })))).toBe(200);
    expect(code(get(token()))).toBe(403);
    expect(code(get(token({ groups: ['group2'] })))).toBe(403);
  });
  it('a token from an issuer no rule names is treated as missing (Envoy allow_missing): 403 from RBAC, not 401', () => {
    expect(get({ issuer: 'someone@else', claims: { sub: ISS, groups: ['group1'] } })).toMatchObject({ status: 403, stage: 'rbac' });
  });
  it('a token somewhere the provider does not look is missing too', () => {
    expect(code(get(token({ groups: ['group1'] }, { header: { name: 'x-jwt' } })))).toBe(403);
    expect(code(get(token({ groups: ['group1'] }, { param: 'access_token' })))).toBe(200);
  });
  it('the JWKS host gets a cluster (it is not a mesh service): https with the system trust store', () => {
    expect(o.extraClusters.map((c) => c.name)).toEqual(['outbound|443||raw.githubusercontent.com']);
    expect(o.config.clusters.some((c) => c.name === 'outbound|443||raw.githubusercontent.com')).toBe(true);
  });
});

describe('end-user authentication at the ingress gateway', () => {
  const o = output('gateway-jwt', 'ingressgateway');
  const gw = (conn: Partial<SecurityConnection>, req: SecurityRequest) => simulateSecurity(listener(o.config, '0.0.0.0_80'), { port: 80, transport: 'plaintext', ...conn }, req);
  const valid = token();

  it('requests without a request principal are denied by frontend-ingress', () => {
    expect(gw({ sourceIp: '1.2.3.4' }, { path: '/headers' })).toMatchObject({ status: 403, filter: 'envoy.filters.http.rbac.deny', policy: 'ns[istio-system]-policy[frontend-ingress]-rule[0]' });
  });
  it('a valid token from an allowed client IP passes; invalid tokens get 401', () => {
    expect(code(gw({ sourceIp: '1.2.3.4' }, { path: '/headers', jwt: valid }))).toBe(200);
    expect(code(gw({ sourceIp: '5.6.7.89' }, { path: '/headers', jwt: valid }))).toBe(200);
    expect(code(gw({ sourceIp: '1.2.3.4' }, { path: '/headers', jwt: { ...valid, valid: false } }))).toBe(401);
  });
  it('ingress-policy checks the client address the gateway sees (it uses the remote address, so X-Forwarded-For is not trusted)', () => {
    expect(code(gw({ sourceIp: '9.9.9.9' }, { path: '/headers', jwt: valid }))).toBe(403);
    expect(code(gw({ sourceIp: '9.9.9.9' }, { path: '/headers', jwt: valid, headers: { 'x-forwarded-for': '1.2.3.4' } }))).toBe(403);
  });
  it('the JWKS host is a mesh service: its outbound cluster is used, none is added', () => {
    expect(o.extraClusters).toEqual([]);
    expect(o.config.clusters.some((c) => c.name === 'outbound|80||jwks.istio-system.svc.cluster.local')).toBe(true);
    const hcm = o.config.listeners[0]!.filterChains![0]!.filters[0]!.typedConfig as unknown as { httpFilters: { name: string }[] };
    expect(hcm.httpFilters.map((f) => f.name)).toEqual(['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac.deny', 'envoy.filters.http.rbac.allow', 'envoy.filters.http.cors', 'envoy.filters.http.fault', 'envoy.filters.http.router']);
  });
});

describe('every condition attribute (httpbin in bar, mesh STRICT)', () => {
  const o = output('authz-conditions', 'bar.httpbin-0');
  const t = { config: o.config, warnings: o.warnings };
  const sleepFoo = fromSidecar('foo', 'sleep', { sourceIp: '10.20.0.2' });
  const send = (conn: ReturnType<typeof fromSidecar>, req: SecurityRequest) => code(call(t, 8080, conn, { host: 'httpbin.bar:8000', ...req }));

  it('rule 1: principal or namespace, source ip, method, path (prefix and template), host, port', () => {
    expect(send(sleepFoo, { path: '/status/200' })).toBe(200);
    expect(send(sleepFoo, { path: '/anything/abc/items' })).toBe(200);
    expect(send(fromSidecar('bar', 'sleep', { sourceIp: '10.30.0.2' }), { method: 'HEAD', path: '/status/200' })).toBe(200);
    expect(send(sleepFoo, { method: 'HEAD', path: '/status/200' })).toBe(403); // deny-conditions: non-GET from foo
    expect(send(sleepFoo, { path: '/anything/a/b/items' })).toBe(403);
    expect(send(sleepFoo, { path: '/status/200', host: 'other.bar' })).toBe(403);
    expect(send(fromSidecar('foo', 'sleep', { sourceIp: '192.168.1.1' }), { path: '/status/200' })).toBe(403);
    expect(send(fromSidecar('foo', 'other'), { path: '/status/200' })).toBe(403);
    expect(send(fromSidecar('bar', 'anyone', { sourceIp: '10.30.0.9' }), { path: '/status/200' })).toBe(200);
    expect(send(fromSidecar('bar', 'untrusted', { sourceIp: '10.30.0.9' }), { path: '/status/200' })).toBe(403);
  });
  it('rule 2: request principal (issuer suffix), nested claim, audiences and presenter from any JWT location of the providers', () => {
    const caller = fromSidecar('default', 'bookinfo-ratings', { sourceIp: '172.16.0.1' });
    const claims = { sub: 'alice', aud: ['httpbin'], azp: 'web', realm: { roles: ['admins', 'ops'] } };
    const viaHeader: TestJwt = { issuer: 'https://auth.example.com', claims, header: { name: 'x-jwt', prefix: 'Token ' } };
    expect(send(caller, { path: '/x', jwt: viaHeader })).toBe(200);
    expect(send(caller, { path: '/x', jwt: { ...viaHeader, header: undefined, param: 'token' } })).toBe(200);
    expect(send(caller, { path: '/x', jwt: { issuer: 'https://login.example.com', claims, cookie: 'session' } })).toBe(200);
    expect(send(caller, { path: '/x' })).toBe(403);
    expect(send(caller, { path: '/x', jwt: { ...viaHeader, claims: { ...claims, sub: 'bob' } } })).toBe(403);
    expect(send(caller, { path: '/x', jwt: { ...viaHeader, claims: { ...claims, realm: { roles: ['ops'] } } } })).toBe(403);
    expect(send(caller, { path: '/x', jwt: { ...viaHeader, claims: { ...claims, azp: 'cli' } } })).toBe(403);
    expect(call(t, 8080, caller, { path: '/x', jwt: { ...viaHeader, claims: { ...claims, aud: ['other'] } } })).toMatchObject({ status: 401, body: 'Audiences in Jwt are not allowed' });
  });
  it('rule 3: remote ip, destination ip and port, SNI, not-principal and not-namespace', () => {
    const sleepBar = fromSidecar('bar', 'sleep', { sourceIp: '10.30.0.2', destinationIp: '10.30.0.1', sni: 'outbound_.8000_._.httpbin.bar.svc.cluster.local' });
    expect(send(sleepBar, { path: '/anything' })).toBe(200);
    expect(send({ ...sleepBar, sni: undefined }, { path: '/anything' })).toBe(403);
    expect(send({ ...sleepBar, destinationIp: '10.30.0.7' }, { path: '/anything' })).toBe(403);
    expect(send({ ...sleepBar, sourceIp: '10.31.0.2' }, { path: '/anything' })).toBe(403);
    expect(send({ ...sleepBar, peerPrincipal: 'spiffe://cluster.local/ns/legacy/sa/sleep' }, { path: '/anything' })).toBe(403);
  });
  it('denies: blocked service accounts, *.secret paths, an x-debug header, non-GET from foo', () => {
    const sleepBar = fromSidecar('bar', 'sleep', { sourceIp: '10.30.0.2', destinationIp: '10.30.0.1', sni: 'outbound_.8000_._.httpbin.bar.svc.cluster.local' });
    expect(send({ ...sleepBar, peerPrincipal: 'spiffe://cluster.local/ns/bar/sa/blocked' }, { path: '/anything' })).toBe(403);
    expect(send(sleepFoo, { path: '/status/x.secret' })).toBe(403);
    expect(send(sleepFoo, { path: '/status/200', headers: { 'X-Debug': '' } })).toBe(403);
    expect(send(sleepFoo, { method: 'POST', path: '/status/200' })).toBe(403);
    expect(send(sleepFoo, { method: 'GET', path: '/status/200' })).toBe(200);
  });
  it('the second provider fetches its JWKS over https from an emitted cluster, with the rule timeout', () => {
    expect(o.extraClusters.map((c) => c.name)).toEqual(['outbound|8443||login.example.com']);
    expect(o.warnings).toEqual([]);
  });
});
