import { describe, expect, it } from 'vitest';
import type { AuthorizationPolicy } from '@sextant/config-model';
import { buildAuthorization, MATCH_NEVER, rbacHttpFilters, rbacNetworkFilters } from './rbac-builder';

function ap(name: string, spec: AuthorizationPolicy['spec'], annotations?: Record<string, string>): AuthorizationPolicy {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'foo', ...(annotations ? { annotations } : {}) }, spec };
}

describe('buildAuthorization', () => {
  it('orders stages custom, audit, deny, allow and names policies per rule', () => {
    const stages = buildAuthorization(
      [ap('a', { rules: [{}, {}] }), ap('d', { action: 'DENY', rules: [{}] }), ap('l', { action: 'AUDIT', rules: [{}] }), ap('c', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] })],
      { forTcp: false },
    );
    expect(stages.map((s) => [s.stage, s.rules?.action, Object.keys(s.rules?.policies ?? {})])).toEqual([
      ['custom', 'DENY', ['istio-ext-authz-opa-ns[foo]-policy[c]-rule[0]-deny-due-to-bad-CUSTOM-action']],
      ['audit', 'LOG', ['ns[foo]-policy[l]-rule[0]']],
      ['deny', 'DENY', ['ns[foo]-policy[d]-rule[0]']],
      ['allow', 'ALLOW', ['ns[foo]-policy[a]-rule[0]', 'ns[foo]-policy[a]-rule[1]']],
    ]);
  });
  it('a policy without rules never matches: ALLOW-nothing denies all, an empty DENY denies nothing', () => {
    const [allow] = buildAuthorization([ap('allow-nothing', {})], { forTcp: false });
    expect(allow!.rules).toEqual({ action: 'ALLOW', policies: { 'ns[foo]-policy[allow-nothing]-rule[0]': MATCH_NEVER } });
    const [deny] = buildAuthorization([ap('deny-nothing', { action: 'DENY' })], { forTcp: true });
    expect(deny!.rules!.policies['ns[foo]-policy[deny-nothing]-rule[0]']).toBe(MATCH_NEVER);
  });
  it('dry-run policies become shadow rules; a malformed annotation is enforced with a warning', () => {
    const warnings: string[] = [];
    const [deny] = buildAuthorization([ap('dry', { action: 'DENY', rules: [{}] }, { 'istio.io/dry-run': 'true' }), ap('odd', { action: 'DENY', rules: [{}] }, { 'istio.io/dry-run': 'yes' })], { forTcp: false, warn: (m) => warnings.push(m) });
    expect(Object.keys(deny!.shadowRules!.policies)).toEqual(['ns[foo]-policy[dry]-rule[0]']);
    expect(Object.keys(deny!.rules!.policies)).toEqual(['ns[foo]-policy[odd]-rule[0]']);
    expect(warnings).toEqual(['AuthorizationPolicy foo/odd: istio.io/dry-run "yes" is not a boolean; enforced']);
  });
  it('skips targetRef policies and invalid rules with warnings; HTTP-only ALLOW rules on TCP silently', () => {
    const warnings: string[] = [];
    const stages = buildAuthorization(
      [
        ap('gw', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'g' }], rules: [{}] }),
        ap('bad', { rules: [{ when: [{ key: 'request.bogus', values: ['x'] }] }] }),
        ap('http', { rules: [{ to: [{ operation: { paths: ['/x'] } }] }] }),
      ],
      { forTcp: true, warn: (m) => warnings.push(m) },
    );
    expect(stages).toEqual([{ stage: 'allow', rules: { action: 'ALLOW', policies: {} } }]);
    expect(warnings).toEqual(['AuthorizationPolicy foo/gw: targetRef is not supported for sidecars and gateways here; ignored', 'AuthorizationPolicy foo/bad rule 0: unknown attribute request.bogus; rule skipped']);
  });
  it('CUSTOM warns NOT SUPPORTED (dry-run CUSTOM is ignored)', () => {
    const warnings: string[] = [];
    const stages = buildAuthorization([ap('x', { action: 'CUSTOM', provider: { name: 'p' }, rules: [{}] }, { 'istio.io/dry-run': 'true' })], { forTcp: false, warn: (m) => warnings.push(m) });
    expect(stages).toEqual([]);
    expect(warnings[0]).toMatch(/NOT SUPPORTED.*dry-run, ignored/);
  });
});

describe('filters', () => {
  it('HTTP: envoy.filters.http.rbac.<stage> with shadow stat prefixes', () => {
    const f = rbacHttpFilters([ap('a', { rules: [{}] }, { 'istio.io/dry-run': 'true' })]);
    expect(f).toEqual([
      {
        name: 'envoy.filters.http.rbac.allow',
        typedConfig: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
          shadowRules: { action: 'ALLOW', policies: { 'ns[foo]-policy[a]-rule[0]': expect.any(Object) } },
          shadowRulesStatPrefix: 'istio_dry_run_allow_',
        },
      },
    ]);
  });
  it('network: envoy.filters.network.rbac.<stage> with stat prefix tcp.', () => {
    const [f] = rbacNetworkFilters([ap('d', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['x'] } }] }] })]);
    expect(f!.name).toBe('envoy.filters.network.rbac.deny');
    expect(f!.typedConfig).toMatchObject({ '@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC', statPrefix: 'tcp.', rules: { action: 'DENY' } });
  });
  it('no policies: no filters', () => {
    expect(rbacHttpFilters([])).toEqual([]);
  });
});
