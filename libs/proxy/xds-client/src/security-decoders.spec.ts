// The RBAC and jwt_authn decoders: every listener of Pilot's golden
// security output (Istio's tasks through the real translation, read as data
// from libs/pilot/security/test/golden) decodes into @sextant/policy's types
// equal to what Pilot emitted; unsupported fields are NACKed by path.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECURITY_TYPED } from '@sextant/policy';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { decodeEnvoyResource } from './decode-envoy';
import type { HttpConnectionManagerConfig, ListenerConfig, TcpProxyConfig } from './listener-types';

const GOLDEN = resolve(import.meta.dirname, '../../../pilot/security/test/golden');
type Obj = Record<string, unknown>;

/** Listener filters by name only, and chains without transport sockets (those belong to the TLS decoder's tests). */
function securityOnly(l: Obj): Obj {
  const chains = ((l['filterChains'] ?? []) as Obj[]).map(({ transportSocket: _t, ...c }) => ({ ...c, filterChainMatch: { ...(c['filterChainMatch'] as Obj), transportProtocol: c['transportSocket'] ? 'tls' : (c['filterChainMatch'] as Obj | undefined)?.['transportProtocol'] } }));
  const seen = new Set<string>();
  const unique = chains.filter((c) => {
    const k = JSON.stringify(c['filterChainMatch']);
    return seen.has(k) ? false : (seen.add(k), true);
  });
  return { ...l, listenerFilters: ((l['listenerFilters'] ?? []) as Obj[]).map((f) => ({ name: f['name'] })), filterChains: unique };
}

const stripType = ({ '@type': _t, ...rest }: Obj) => rest;

describe('golden security output decodes to what Pilot emitted', () => {
  const files = readdirSync(GOLDEN).filter((f) => f.startsWith('authz-') || f.startsWith('gateway-'));
  it('has scenarios to check', () => expect(files.length).toBeGreaterThan(8));
  for (const file of files) {
    it(file, () => {
      const golden = JSON.parse(readFileSync(resolve(GOLDEN, file), 'utf8')) as { listeners: Obj[] };
      let rbacFilters = 0;
      for (const l of golden.listeners) {
        const d = decodeEnvoyResource('listener', securityOnly(l));
        expect(d.result.valid ? [] : d.result.errors).toEqual([]);
        const value = (d.result as { value: ListenerConfig }).value;
        const emitted = (securityOnly(l)['filterChains'] as Obj[]).map((c) => c['filters'] as { name: string; typedConfig: Obj }[]);
        value.filterChains.forEach((chain, i) => {
          const filters = emitted[i]!;
          if (chain.filter.kind === 'tcp') {
            const want = filters.filter((f) => f.typedConfig['@type'] === SECURITY_TYPED.networkRbac).map((f) => ({ name: f.name, config: f.typedConfig }));
            expect((chain.filter as TcpProxyConfig).rbac ?? []).toEqual(want);
            rbacFilters += want.length;
          } else {
            const hcm = filters.find((f) => f.typedConfig['@type'] === EXTENSION_TYPE_URL.httpConnectionManager)!.typedConfig;
            const want = (hcm['httpFilters'] as { name: string; typedConfig: Obj }[]).filter((f) => f.typedConfig['@type'] === SECURITY_TYPED.httpRbac);
            const got = (chain.filter as HttpConnectionManagerConfig).httpFilters.filter((f) => f.kind === 'rbac');
            expect(got.map((f) => ({ name: f.name, config: stripType(f.config as unknown as Obj) }))).toEqual(want.map((f) => ({ name: f.name, config: stripType(f.typedConfig) })));
            rbacFilters += got.length;
            const jwt = (chain.filter as HttpConnectionManagerConfig).httpFilters.find((f) => f.kind === 'jwt-authn');
            const jwtWant = (hcm['httpFilters'] as { typedConfig: Obj }[]).find((f) => f.typedConfig['@type'] === SECURITY_TYPED.jwtAuthn);
            expect(jwt !== undefined).toBe(jwtWant !== undefined);
            if (jwt?.kind === 'jwt-authn' && jwtWant) {
              const rules = jwtWant.typedConfig['rules'] as { requires: unknown }[];
              expect(jwt.config.requires).toEqual(rules[0]!.requires);
              expect(Object.keys(jwt.config.providers)).toEqual(Object.keys(jwtWant.typedConfig['providers'] as Obj));
            }
          }
        });
      }
      expect(rbacFilters).toBeGreaterThan(0);
    });
  }
});

const hcmWith = (filter: Obj) => ({
  name: 'l',
  address: { socketAddress: { address: '127.0.0.1', portValue: 1 } },
  filterChains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typedConfig: { '@type': EXTENSION_TYPE_URL.httpConnectionManager, statPrefix: 's', routeConfig: { name: 'r' }, httpFilters: [filter, { name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } }] },
        },
      ],
    },
  ],
});
const errorsOf = (o: Obj) => {
  const d = decodeEnvoyResource('listener', o);
  return d.result.valid ? [] : d.result.errors;
};

describe('NACKs name what is not supported', () => {
  it('RBAC: CEL conditions, matcher trees, unsupported permissions', () => {
    const rbac = (typedConfig: Obj) => hcmWith({ name: 'envoy.filters.http.rbac', typedConfig: { '@type': SECURITY_TYPED.httpRbac, ...typedConfig } });
    const cel = errorsOf(rbac({ rules: { action: 'ALLOW', policies: { p: { permissions: [{ any: true }], principals: [{ any: true }], condition: { constExpr: { boolValue: true } } } } } }));
    expect(cel.join('\n')).toMatch(/httpFilters\[0:envoy\.filters\.http\.rbac\]\.typedConfig\.rules\.policies\[p\]\.condition: CEL conditions are not supported/);
    expect(errorsOf(rbac({ rules: { action: 'ALLOW', policies: { p: { permissions: [{ destinationPortRange: { start: 1, end: 2 } }], principals: [{ any: true }] } } } })).join('\n')).toMatch(/permissions\[0\]: permission destinationPortRange is not supported/);
    expect(errorsOf(rbac({ rules: { action: 'ALLOW', policies: { p: { permissions: [{ any: true }], principals: [{ header: { name: 'x', safeRegexMatch: { regex: '(' } } }] } } } })).join('\n')).toMatch(/invalid RE2 regex/);
    expect(errorsOf(rbac({ rules: { action: 'ALLOW', policies: {} } }))).toEqual([]);
  });

  it('jwt_authn: per-route requirement maps, partial rules, missing JWKS', () => {
    const jwt = (typedConfig: Obj) => hcmWith({ name: 'envoy.filters.http.jwt_authn', typedConfig: { '@type': SECURITY_TYPED.jwtAuthn, ...typedConfig } });
    const provider = { issuer: 'i', localJwks: { inlineString: '{"keys":[]}' } };
    expect(errorsOf(jwt({ providers: { p: provider }, rules: [{ match: { prefix: '/' }, requires: { providerName: 'p' } }] }))).toEqual([]);
    expect(errorsOf(jwt({ providers: { p: provider }, rules: [{ match: { prefix: '/api' }, requires: { providerName: 'p' } }] })).join('\n')).toMatch(/rules\[0\]\.match: only a rule matching every request/);
    expect(errorsOf(jwt({ providers: { p: provider }, requirementMap: { r: { providerName: 'p' } } })).join('\n')).toMatch(/requirementMap: not supported/);
    expect(errorsOf(jwt({ providers: { p: { issuer: 'i' } } })).join('\n')).toMatch(/providers\[p\]: local_jwks or remote_jwks is required/);
    expect(errorsOf(jwt({ providers: { p: provider }, rules: [{ match: { prefix: '/' }, requires: { providerName: 'q' } }] })).join('\n')).toMatch(/no provider named "q"/);
  });

  it('network RBAC only before a TCP proxy', () => {
    const l = hcmWith({ name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } }) as { filterChains: { filters: Obj[] }[] };
    l.filterChains[0]!.filters.unshift({ name: 'envoy.filters.network.rbac', typedConfig: { '@type': SECURITY_TYPED.networkRbac, statPrefix: 'tcp.', rules: { action: 'DENY', policies: {} } } });
    expect(errorsOf(l as unknown as Obj).join('\n')).toMatch(/network RBAC before the HTTP connection manager is not supported/);
  });
});
