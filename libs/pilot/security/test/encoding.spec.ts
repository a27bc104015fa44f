// Every output (whole proxy config with the security hooks, plus security
// clusters) encodes under Envoy's real protos, strictly: unknown fields,
// wrong types, enum names and protoc-gen-validate rules fail.
import { describe, expect, it } from 'vitest';
import type { ProxyConfig } from '@sextant/translate';
import { SECURITY_TYPED } from '../src/type-urls';
import { encodeEnvoy, envoyProblems, RESOURCE_TYPES } from './envoy-proto';
import { runScenario, SCENARIOS } from './scenarios';

const KINDS = ['listeners', 'routes', 'clusters', 'endpoints'] as const;

function resources(config: ProxyConfig) {
  return KINDS.flatMap((kind) => (config[kind] as object[]).map((r) => ({ kind, r, name: (r as { name?: string }).name ?? (r as { clusterName: string }).clusterName })));
}

describe('Envoy proto conformance of every scenario output', () => {
  for (const scenario of SCENARIOS) {
    for (const o of runScenario(scenario).outputs) {
      it(`${scenario.name} / ${o.proxy.name}: ${resources(o.config).length} resources encode`, () => {
        const problems = resources(o.config).flatMap(({ kind, r, name }) => envoyProblems(RESOURCE_TYPES[kind], r).map((p) => `${kind} ${name}: ${p}`));
        expect(problems).toEqual([]);
        for (const { kind, r } of resources(o.config)) expect(encodeEnvoy(RESOURCE_TYPES[kind], r).length).toBeGreaterThan(0);
      });
    }
  }
});

describe('the conformance check sees security config', () => {
  const rbac = (policies: object) => ({ '@type': SECURITY_TYPED.httpRbac, rules: { action: 'ALLOW', policies } });
  it('checks RBAC policies inside the typed config (required sets, oneofs, enums)', () => {
    expect(envoyProblems('envoy.extensions.filters.http.rbac.v3.RBAC', { rules: { action: 'ALLOW', policies: { p: { permissions: [{ any: true }], principals: [] } } } })).toEqual([
      'RBAC.rules.policies[p].principals: needs at least 1 item(s)',
    ]);
    expect(envoyProblems('envoy.extensions.filters.http.rbac.v3.RBAC', { rules: { action: 'PERMIT', policies: {} } })[0]).toMatch(/not a Action name/);
    expect(envoyProblems('envoy.config.rbac.v3.Permission', { any: true, destinationPort: 80 })[0]).toMatch(/oneof rule has/);
    expect(envoyProblems('envoy.config.rbac.v3.Permission', { destinationPort: 70000 })[0]).toMatch(/70000 > 65535/);
    const listener = { name: 'l', filterChains: [{ filters: [{ name: 'hcm', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', statPrefix: 's', httpFilters: [{ name: 'rbac', typedConfig: rbac({ p: { permissions: [{}], principals: [{ any: true }] } }) }] } }] }] };
    expect(envoyProblems(RESOURCE_TYPES.listeners, listener).join('\n')).toMatch(/oneof rule is required/);
  });
  it('checks jwt_authn providers (a JWKS source is required)', () => {
    expect(envoyProblems('envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication', { providers: { p: { issuer: 'x' } } })[0]).toMatch(/oneof jwksSourceSpecifier is required/);
  });
});
