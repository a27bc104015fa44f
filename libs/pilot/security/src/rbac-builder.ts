// AuthorizationPolicies selecting a workload -> Envoy RBAC filters, in
// Istio's order: CUSTOM, AUDIT (action LOG), DENY, ALLOW. One filter per
// stage that has policies; each rule is one named RBAC policy
// `ns[<ns>]-policy[<name>]-rule[<i>]`. `istio.io/dry-run: "true"` policies
// go to shadow rules (evaluated and reported, never enforced).
//
// CUSTOM needs an ext_authz provider, which Sextant does not have: like
// Istio when a provider is missing, the rules of CUSTOM policies become DENY
// rules (suffix `-deny-due-to-bad-CUSTOM-action`), so the policy fails
// closed, and a NOT-SUPPORTED warning is emitted.
import type { AuthorizationPolicy } from '@sextant/config-model';
import type { FilterObject } from '@sextant/translate';
import { buildModel, generatePolicy } from './authz-model';
import { RuleError } from './authz-attributes';
import type { RbacAction, RbacFilterConfig, RbacPolicyObject, RbacRulesObject } from './rbac-types';
import { DRY_RUN_ALLOW_PREFIX, DRY_RUN_ANNOTATION, DRY_RUN_DENY_PREFIX, RBAC_TCP_STAT_PREFIX, SECURITY_FILTER, SECURITY_TYPED } from './type-urls';

export type AuthzStage = 'custom' | 'audit' | 'deny' | 'allow';
export const AUTHZ_STAGES: readonly AuthzStage[] = ['custom', 'audit', 'deny', 'allow'];

const STAGE_ACTION: Record<AuthzStage, RbacAction> = { custom: 'DENY', audit: 'LOG', deny: 'DENY', allow: 'ALLOW' };

export const BAD_CUSTOM_SUFFIX = '-deny-due-to-bad-CUSTOM-action';

export interface AuthzBuildOptions {
  /** Build for a TCP filter chain (HTTP-only attributes cannot match there). */
  forTcp: boolean;
  warn?: (message: string) => void;
}

export interface BuiltAuthzStage {
  stage: AuthzStage;
  rules?: RbacRulesObject;
  shadowRules?: RbacRulesObject;
}

/** An explicit policy that never matches (a policy with no rules). */
export const MATCH_NEVER: RbacPolicyObject = Object.freeze({
  permissions: [{ notRule: { any: true } }],
  principals: [{ notId: { any: true } }],
}) as RbacPolicyObject;

function policyRef(p: AuthorizationPolicy): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

/** Go's strconv.ParseBool, as Istio reads the dry-run annotation. */
function isDryRun(p: AuthorizationPolicy, warn: (m: string) => void): boolean {
  const v = p.metadata.annotations?.[DRY_RUN_ANNOTATION];
  if (v === undefined) return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (!['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) warn(`AuthorizationPolicy ${policyRef(p)}: ${DRY_RUN_ANNOTATION} "${v}" is not a boolean; enforced`);
  return false;
}

export function stageOf(p: AuthorizationPolicy): AuthzStage {
  switch (p.spec.action) {
    case 'CUSTOM':
      return 'custom';
    case 'AUDIT':
      return 'audit';
    case 'DENY':
      return 'deny';
    default:
      return 'allow';
  }
}

/** Whether a policy applies through a selector (or namespace/mesh wide) rather than targetRef, which sidecars and gateways here do not serve. */
export function usesTargetRef(p: { spec: { targetRef?: unknown; targetRefs?: unknown[] } }): boolean {
  return p.spec.targetRef !== undefined || (p.spec.targetRefs?.length ?? 0) > 0;
}

function policyName(p: AuthorizationPolicy, rule: number, stage: AuthzStage): string {
  const base = `ns[${p.metadata.namespace ?? 'default'}]-policy[${p.metadata.name}]-rule[${rule}]`;
  return stage === 'custom' ? `istio-ext-authz-${p.spec.provider?.name ?? ''}-${base}${BAD_CUSTOM_SUFFIX}` : base;
}

/** The rules of one stage's policies (Istio's builder.build). */
function buildStage(stage: AuthzStage, policies: readonly AuthorizationPolicy[], opts: AuthzBuildOptions): BuiltAuthzStage | undefined {
  if (policies.length === 0) return undefined;
  const warn = opts.warn ?? (() => undefined);
  const action = STAGE_ACTION[stage];
  const enforce: RbacRulesObject = { action, policies: {} };
  const shadow: RbacRulesObject = { action, policies: {} };
  let hasEnforce = false;
  let hasShadow = false;
  for (const p of policies) {
    const dry = isDryRun(p, warn);
    if (stage === 'custom') {
      warn(
        `AuthorizationPolicy ${policyRef(p)}: action CUSTOM (provider "${p.spec.provider?.name ?? ''}") is NOT SUPPORTED: Sextant has no ext_authz; ` +
          (dry ? 'dry-run, ignored' : 'requests matching its rules are denied (403)'),
      );
      if (dry) continue;
    }
    const target = dry ? shadow : enforce;
    if (dry) hasShadow = true;
    else hasEnforce = true;
    const rules = p.spec.rules ?? [];
    rules.forEach((rule, i) => {
      const name = policyName(p, i, stage);
      if (!rule) return;
      try {
        const model = buildModel(p.metadata.namespace ?? 'default', rule);
        const onIgnored = (e: RuleError) => warn(`AuthorizationPolicy ${policyRef(p)} rule ${i}: ${e.message}; value ignored`);
        target.policies[name] = generatePolicy(model, { forTcp: opts.forTcp, action, onIgnored });
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        // An ALLOW rule that cannot match here (HTTP-only fields on TCP) is dropped, as in Istio; warn only for invalid rules.
        if (!err.httpOnly) warn(`AuthorizationPolicy ${policyRef(p)} rule ${i}: ${err.message}; rule skipped`);
      }
    });
    if (rules.length === 0) target.policies[policyName(p, 0, stage)] = MATCH_NEVER;
  }
  const out: BuiltAuthzStage = { stage };
  if (hasEnforce) out.rules = enforce;
  if (hasShadow) out.shadowRules = shadow;
  return hasEnforce || hasShadow ? out : undefined;
}

/** Every stage with policies, in evaluation order. Policies using targetRef are skipped with a warning. */
export function buildAuthorization(policies: readonly AuthorizationPolicy[], opts: AuthzBuildOptions): BuiltAuthzStage[] {
  const byStage = new Map<AuthzStage, AuthorizationPolicy[]>(AUTHZ_STAGES.map((s) => [s, []]));
  for (const p of policies) {
    if (usesTargetRef(p)) {
      opts.warn?.(`AuthorizationPolicy ${policyRef(p)}: targetRef is not supported for sidecars and gateways here; ignored`);
      continue;
    }
    byStage.get(stageOf(p))!.push(p);
  }
  return AUTHZ_STAGES.map((s) => buildStage(s, byStage.get(s)!, opts)).filter((x): x is BuiltAuthzStage => x !== undefined);
}

function shadowPrefix(rules: RbacRulesObject | undefined): string | undefined {
  if (!rules) return undefined;
  return rules.action === 'ALLOW' ? DRY_RUN_ALLOW_PREFIX : rules.action === 'DENY' ? DRY_RUN_DENY_PREFIX : undefined;
}

function filterConfig(typeUrl: string, built: BuiltAuthzStage, statPrefix?: string): RbacFilterConfig {
  const cfg: RbacFilterConfig = { '@type': typeUrl };
  if (built.rules) cfg.rules = built.rules;
  if (statPrefix !== undefined) cfg.statPrefix = statPrefix;
  if (built.shadowRules) cfg.shadowRules = built.shadowRules;
  const prefix = shadowPrefix(built.shadowRules);
  if (prefix) cfg.shadowRulesStatPrefix = prefix;
  return cfg;
}

/** HTTP RBAC filters (`envoy.filters.http.rbac.<stage>`) for an HTTP connection manager. */
export function rbacHttpFilters(policies: readonly AuthorizationPolicy[], warn?: (m: string) => void): FilterObject[] {
  return buildAuthorization(policies, { forTcp: false, ...(warn ? { warn } : {}) }).map((b) => ({
    name: `${SECURITY_FILTER.httpRbac}.${b.stage}`,
    typedConfig: filterConfig(SECURITY_TYPED.httpRbac, b) as FilterObject['typedConfig'],
  }));
}

/** Network RBAC filters (`envoy.filters.network.rbac.<stage>`) placed before tcp_proxy. */
export function rbacNetworkFilters(policies: readonly AuthorizationPolicy[], warn?: (m: string) => void): FilterObject[] {
  return buildAuthorization(policies, { forTcp: true, ...(warn ? { warn } : {}) }).map((b) => ({
    name: `${SECURITY_FILTER.networkRbac}.${b.stage}`,
    typedConfig: filterConfig(SECURITY_TYPED.networkRbac, b, RBAC_TCP_STAT_PREFIX) as FilterObject['typedConfig'],
  }));
}
