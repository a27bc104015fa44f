// AuthorizationPolicy behaviour, with the outcomes Istio's authorization
// tasks state: Bookinfo opened step by step after allow-nothing, explicit
// deny with notValues/notPaths, TCP policies (HTTP-only fields), and the
// actions besides ALLOW/DENY.
import { describe, expect, it } from 'vitest';
import type { IstioResource } from '@sextant/config-model';
import { RBAC_DENIED_BODY } from '../src/security-simulator';
import { BAD_CUSTOM_SUFFIX } from '../src/rbac-builder';
import { loadConfigs } from './fixtures';
import { output } from './scenarios';
import { call, code, fromSidecar, plaintext, sidecarOf, translate, type Translated } from './sim';

const only = (configs: IstioResource[], ...names: string[]) => configs.filter((c) => c.kind !== 'AuthorizationPolicy' || names.includes(c.metadata.name));

describe('Bookinfo: authorization for HTTP traffic', () => {
  const all = loadConfigs('mtls-mesh-strict.yaml', 'authz-bookinfo.yaml');
  const gateway = fromSidecar('istio-system', 'istio-ingressgateway-service-account', { sourceIp: '10.99.0.1' });
  const productpage = fromSidecar('default', 'bookinfo-productpage', { sourceIp: '10.10.0.1' });
  const reviews = fromSidecar('default', 'bookinfo-reviews', { sourceIp: '10.10.2.1' });
  const at = (step: IstioResource[]) => ({
    productpage: translate(step, sidecarOf('default/productpage-v1-0')),
    details: translate(step, sidecarOf('default/details-v1-0')),
    reviews: translate(step, sidecarOf('default/reviews-v1-0')),
    ratings: translate(step, sidecarOf('default/ratings-v1-0')),
  });
  const get = (t: Translated, from: ReturnType<typeof fromSidecar>, path = '/') => call(t, 9080, from, { method: 'GET', path });

  it('allow-nothing: every workload answers 403 "RBAC: access denied"', () => {
    const s = at(only(all, 'allow-nothing'));
    const o = get(s.productpage, gateway, '/productpage');
    expect(o).toMatchObject({ allowed: false, status: 403, body: RBAC_DENIED_BODY, stage: 'rbac', filter: 'envoy.filters.http.rbac.allow' });
    expect(code(get(s.details, productpage, '/details/0'))).toBe(403);
    expect(code(get(s.ratings, reviews, '/ratings/0'))).toBe(403);
  });
  it('+ productpage-viewer: the page loads, but details and reviews still refuse productpage', () => {
    const s = at(only(all, 'allow-nothing', 'productpage-viewer'));
    expect(get(s.productpage, gateway, '/productpage')).toMatchObject({ status: 200, policy: 'ns[default]-policy[productpage-viewer]-rule[0]' });
    expect(code(call(s.productpage, 9080, gateway, { method: 'POST', path: '/productpage' }))).toBe(403);
    expect(code(get(s.details, productpage, '/details/0'))).toBe(403);
    expect(code(get(s.reviews, productpage, '/reviews/0'))).toBe(403);
  });
  it('+ details-viewer and reviews-viewer: details and reviews answer productpage, ratings refuses reviews', () => {
    const s = at(only(all, 'allow-nothing', 'productpage-viewer', 'details-viewer', 'reviews-viewer'));
    expect(code(get(s.details, productpage, '/details/0'))).toBe(200);
    expect(code(get(s.reviews, productpage, '/reviews/0'))).toBe(200);
    expect(code(get(s.ratings, reviews, '/ratings/0'))).toBe(403);
  });
  it('+ ratings-viewer: everything works, and only for the intended caller and method', () => {
    const s = at(all);
    expect(code(get(s.ratings, reviews, '/ratings/0'))).toBe(200);
    expect(code(get(s.ratings, productpage, '/ratings/0'))).toBe(403);
    expect(code(get(s.details, reviews, '/details/0'))).toBe(403);
    expect(code(call(s.details, 9080, productpage, { method: 'DELETE', path: '/details/0' }))).toBe(403);
    expect(code(get(s.details, fromSidecar('other', 'bookinfo-productpage'), '/details/0'))).toBe(403);
  });
  it('the golden output runs the same policies', () => {
    expect(code(call({ config: output('authz-bookinfo', 'default.ratings-v1-0').config, warnings: [] }, 9080, reviews, { path: '/ratings/0' }))).toBe(200);
  });
});

describe('explicit deny on httpbin (foo)', () => {
  const httpbin = sidecarOf('foo/httpbin-0');
  const sleep = fromSidecar('foo', 'sleep', { sourceIp: '10.20.0.2' });
  const denyGet = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-method-get, namespace: foo }
spec:
  selector: { matchLabels: { app: httpbin } }
  action: DENY
  rules:
  - to: [{ operation: { methods: ["GET"] } }]
`;
  it('deny-method-get: GET is denied, POST allowed', () => {
    const t = translate(denyGet, httpbin);
    expect(call(t, 8080, sleep, { method: 'GET', path: '/get' })).toMatchObject({ status: 403, filter: 'envoy.filters.http.rbac.deny', policy: 'ns[foo]-policy[deny-method-get]-rule[0]' });
    expect(code(call(t, 8080, sleep, { method: 'POST', path: '/post' }))).toBe(200);
  });
  it('with notValues ["admin"] on x-token: admin passes, guest is denied', () => {
    const t = translate(loadConfigs('authz-deny.yaml').filter((c) => c.metadata.name === 'deny-method-get'), httpbin);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/get', headers: { 'x-token': 'admin' } }))).toBe(200);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/get', headers: { 'x-token': 'guest' } }))).toBe(403);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/get' }))).toBe(403);
  });
  it('+ allow-path-ip: deny wins over allow; the allow admits only /ip', () => {
    const t = { config: output('authz-deny', 'foo.httpbin-0').config, warnings: [] };
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/ip', headers: { 'x-token': 'guest' } }))).toBe(403);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/ip', headers: { 'x-token': 'admin' } }))).toBe(200);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/get', headers: { 'x-token': 'admin' } }))).toBe(403);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/ip?x=1', headers: { 'x-token': 'admin' } }))).toBe(200);
  });
  it('with notPaths ["/ip"]: guest may GET /ip, not /get', () => {
    const t = { config: output('authz-deny-notpaths', 'foo.httpbin-0').config, warnings: [] };
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/ip', headers: { 'x-token': 'guest' } }))).toBe(200);
    expect(code(call(t, 8080, sleep, { method: 'GET', path: '/get', headers: { 'x-token': 'guest' } }))).toBe(403);
  });
});

describe('TCP traffic (tcp-echo in foo)', () => {
  const sleep = fromSidecar('foo', 'sleep', { sourceIp: '10.20.0.2' });
  const t = (s: string) => ({ config: output(s, 'foo.tcp-echo-0').config, warnings: [] });
  it('ALLOW on ports 9000 and 9001: both pass, anything else on the workload is refused (passthrough chain too)', () => {
    expect(code(call(t('authz-tcp-ports'), 9000, sleep))).toBe(200);
    expect(code(call(t('authz-tcp-ports'), 9001, plaintext({ sourceIp: '10.40.0.2' })))).toBe(200);
    const other = call(t('authz-tcp-ports'), 9002, sleep);
    expect(other).toMatchObject({ closed: true, stage: 'network-rbac', chain: 'virtualInbound-catchall-mtls', filter: 'envoy.filters.network.rbac.allow' });
  });
  it('an ALLOW rule with methods (HTTP-only) can never match on TCP: everything is denied', () => {
    expect(call(t('authz-tcp-http-only-allow'), 9000, sleep)).toMatchObject({ closed: true, stage: 'network-rbac' });
    expect(code(call(t('authz-tcp-http-only-allow'), 9001, sleep))).toBe(0);
  });
  it('a DENY rule with methods keeps its TCP part: port 9000 denied, 9001 allowed', () => {
    expect(call(t('authz-tcp-http-only-deny'), 9000, sleep)).toMatchObject({ closed: true, policy: 'ns[foo]-policy[tcp-policy]-rule[0]' });
    expect(code(call(t('authz-tcp-http-only-deny'), 9001, sleep))).toBe(200);
  });
});

describe('CUSTOM, AUDIT and dry-run (httpbin in bar)', () => {
  const o = output('authz-custom-audit-dryrun', 'bar.httpbin-0');
  const t = { config: o.config, warnings: o.warnings };
  const sleep = fromSidecar('bar', 'sleep', { sourceIp: '10.30.0.2' });
  it('CUSTOM is NOT SUPPORTED: a clear warning, and its rules fail closed (403)', () => {
    expect(o.warnings).toEqual([expect.stringMatching(/AuthorizationPolicy bar\/ext-authz: action CUSTOM \(provider "sample-ext-authz-grpc"\) is NOT SUPPORTED/)]);
    const r = call(t, 8080, sleep, { path: '/headers' });
    expect(r).toMatchObject({ status: 403, filter: 'envoy.filters.http.rbac.custom' });
    expect(r.policy).toMatch(new RegExp(`${BAD_CUSTOM_SUFFIX}$`));
    expect(code(call(t, 8080, sleep, { path: '/get' }))).toBe(200);
  });
  it('AUDIT only marks matching requests for the log', () => {
    const r = call(t, 8080, sleep, { path: '/admin/users' });
    expect(r).toMatchObject({ status: 200, logged: ['ns[bar]-policy[audit-admin]-rule[0]'] });
    expect(call(t, 8080, sleep, { path: '/get' }).logged).toEqual([]);
  });
  it('a dry-run DENY reports what it would deny and enforces nothing', () => {
    const r = call(t, 8080, sleep, { method: 'POST', path: '/post' });
    expect(r.status).toBe(200);
    expect(r.shadow).toEqual([{ filter: 'envoy.filters.http.rbac.deny', allowed: false, policy: 'ns[bar]-policy[dry-run-deny-post]-rule[0]' }]);
    expect(call(t, 8080, sleep, { method: 'GET', path: '/get' }).shadow).toEqual([{ filter: 'envoy.filters.http.rbac.deny', allowed: true }]);
  });
});
