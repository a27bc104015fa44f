// RBAC action LOG (Istio's AUDIT): never decides, names the policy that
// matched, and marks the request's metadata the way Envoy does
// (envoy.common access_log_hint), also on the simulator's listener path.
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_HINT, evaluateRbacFilter, withAccessLogHint } from './rbac-evaluator';
import type { RbacFilterConfig } from './rbac-types';
import { simulateSecurity, type ListenerObject } from './security-simulator';
import { SECURITY_TYPED } from './type-urls';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const prefix = (p: string) => ({ urlPath: { path: { prefix: p } } });
const AUDIT: RbacFilterConfig = { rules: { action: 'LOG', policies: { 'ns[foo]-policy[audit-admin]-rule[0]': { permissions: [prefix('/admin/')], principals: [{ any: true }] } } } } as unknown as RbacFilterConfig;
const DENY: RbacFilterConfig = { rules: { action: 'DENY', policies: { 'ns[foo]-policy[deny-secret]-rule[0]': { permissions: [prefix('/admin/secret')], principals: [{ any: true }] } } } } as unknown as RbacFilterConfig;
const get = (path: string) => ({ headers: { ':method': 'GET', ':path': path, ':authority': 'svc' } });

describe('RBAC action LOG', () => {
  it('allows whatever it matches or not, and names the matching policy', () => {
    expect(evaluateRbacFilter(AUDIT, get('/admin/x'))).toEqual({ allowed: true, logged: 'ns[foo]-policy[audit-admin]-rule[0]' });
    expect(evaluateRbacFilter(AUDIT, get('/other'))).toEqual({ allowed: true });
  });

  it('withAccessLogHint sets envoy.common access_log_hint, keeping other metadata, once', () => {
    const md = { 'envoy.filters.http.jwt_authn': { payload: { sub: 'a' } }, 'envoy.common': { other: 1 } };
    const marked = withAccessLogHint(md);
    expect(marked).toEqual({ 'envoy.filters.http.jwt_authn': { payload: { sub: 'a' } }, 'envoy.common': { other: 1, access_log_hint: true } });
    expect(withAccessLogHint(marked)).toBe(marked);
    expect(ACCESS_LOG_HINT).toEqual({ namespace: 'envoy.common', key: 'access_log_hint' });
  });

  it('the simulator reports audited requests and their metadata, and a later DENY still denies', () => {
    const listener = {
      name: 'virtualInbound',
      filterChains: [
        {
          name: 'inbound',
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typedConfig: {
                '@type': HCM,
                httpFilters: [
                  { name: 'envoy.filters.http.rbac.audit', typedConfig: { ...AUDIT, '@type': SECURITY_TYPED.httpRbac } },
                  { name: 'envoy.filters.http.rbac.deny', typedConfig: { ...DENY, '@type': SECURITY_TYPED.httpRbac } },
                ],
              },
            },
          ],
        },
      ],
    } as unknown as ListenerObject;
    const conn = { port: 8080, transport: 'plaintext' as const };
    const audited = simulateSecurity(listener, conn, { path: '/admin/x' });
    expect(audited).toMatchObject({ allowed: true, status: 200, logged: ['ns[foo]-policy[audit-admin]-rule[0]'], metadata: { 'envoy.common': { access_log_hint: true } } });
    const denied = simulateSecurity(listener, conn, { path: '/admin/secret' });
    expect(denied).toMatchObject({ allowed: false, status: 403, policy: 'ns[foo]-policy[deny-secret]-rule[0]', logged: ['ns[foo]-policy[audit-admin]-rule[0]'], metadata: { 'envoy.common': { access_log_hint: true } } });
    const plain = simulateSecurity(listener, conn, { path: '/other' });
    expect(plain).toMatchObject({ allowed: true, logged: [], metadata: {} });
  });
});
