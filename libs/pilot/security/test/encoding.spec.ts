// Every output (whole proxy config with the security hooks, plus security
// clusters) encodes under Envoy's real protos, strictly: unknown fields,
// wrong types, enum names and protoc-gen-validate rules fail.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, loadMoreEnvoyProtos, TYPE_URL } from '@sextant/proto';
import { ENVOY_PROTOS_FOR_TRANSLATION, type ProxyConfig } from '@sextant/translate';
import { ENVOY_PROTOS_FOR_SECURITY, SECURITY_TYPED } from '../src/type-urls';
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

describe('the ADS server path (@sextant/proto packing) takes the same output', () => {
  it('encodes (strict) and decodes the security listeners once ENVOY_PROTOS_FOR_SECURITY are loaded', () => {
    loadMoreEnvoyProtos([...ENVOY_PROTOS_FOR_TRANSLATION, ...ENVOY_PROTOS_FOR_SECURITY]);
    let filters = 0;
    for (const scenario of SCENARIOS) {
      for (const o of runScenario(scenario).outputs) {
        for (const l of o.config.listeners) {
          const back = decodeMessage<{ name: string; filterChains?: { filters: { typedConfig?: { typeUrl?: string; type_url?: string } }[] }[] }>(TYPE_URL.listener, encodeMessage(TYPE_URL.listener, l));
          expect(back.name).toBe(l.name);
          const url = (t: { typeUrl?: string; type_url?: string } | undefined) => t?.typeUrl ?? t?.type_url;
          filters += (back.filterChains ?? []).flatMap((c) => c.filters).filter((f) => url(f.typedConfig) === SECURITY_TYPED.networkRbac).length;
        }
        for (const c of o.extraClusters) expect(decodeMessage<{ name: string }>(TYPE_URL.cluster, encodeMessage(TYPE_URL.cluster, c)).name).toBe(c.name);
      }
    }
    expect(filters).toBeGreaterThan(5);
  });
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
