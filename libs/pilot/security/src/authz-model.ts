// One AuthorizationPolicy rule -> one Envoy RBAC Policy (Istio's authz
// model). Every `when` condition and every `from.source` / `to.operation`
// field becomes an attribute rule on the principal side (who) or the
// permission side (what). A Policy matches when any permission (one per
// `to`, ANDed with the permission-side `when`s) and any principal (one per
// `from`, ANDed with the principal-side `when`s) match; an attribute's values
// are ORed and its not-values become NOT(OR(...)).
//
// Errors (HTTP-only attribute on TCP, malformed value): for ALLOW the whole
// rule is dropped (a smaller allow), for DENY/LOG only the offending value
// (a wider deny), exactly as Istio.
import type { Rule, Source, Operation } from '@sextant/config-model';
import { GENERATORS, RuleError, serviceAccountGenerator, type AttributeGenerator } from './authz-attributes';
import type { PermissionObject, PrincipalObject, RbacAction, RbacPolicyObject } from './rbac-types';

interface AttributeRule {
  key: string;
  values: readonly string[];
  notValues: readonly string[];
  gen: AttributeGenerator;
}

export interface AuthzModel {
  /** One list per `to` (or one for none): the attributes ANDed. */
  permissions: AttributeRule[][];
  /** One list per `from` (or one for none). */
  principals: AttributeRule[][];
}

const EMPTY: readonly string[] = [];

/** Which generator serves a `when` key, and on which side. */
function conditionGenerator(key: string, policyNamespace: string): { side: 'permission' | 'principal'; gen: AttributeGenerator } {
  switch (key) {
    case 'destination.ip':
      return { side: 'permission', gen: GENERATORS.destinationIp };
    case 'destination.port':
      return { side: 'permission', gen: GENERATORS.destinationPort };
    case 'connection.sni':
      return { side: 'permission', gen: GENERATORS.connectionSni };
    case 'source.ip':
      return { side: 'principal', gen: GENERATORS.sourceIp };
    case 'remote.ip':
      return { side: 'principal', gen: GENERATORS.remoteIp };
    case 'source.namespace':
      return { side: 'principal', gen: GENERATORS.sourceNamespace };
    case 'source.trustDomain':
      return { side: 'principal', gen: GENERATORS.sourceTrustDomain };
    case 'source.serviceAccount':
      return { side: 'principal', gen: serviceAccountGenerator(policyNamespace) };
    case 'source.principal':
      return { side: 'principal', gen: GENERATORS.sourcePrincipal };
    case 'request.auth.principal':
      return { side: 'principal', gen: GENERATORS.requestPrincipal };
    case 'request.auth.audiences':
      return { side: 'principal', gen: GENERATORS.requestAudiences };
    case 'request.auth.presenter':
      return { side: 'principal', gen: GENERATORS.requestPresenter };
  }
  if (key.startsWith('experimental.envoy.filters.')) return { side: 'permission', gen: GENERATORS.envoyFilter };
  if (key.startsWith('request.headers')) return { side: 'principal', gen: GENERATORS.requestHeader };
  if (key.startsWith('request.auth.claims')) return { side: 'principal', gen: GENERATORS.requestClaims };
  throw new RuleError(`unknown attribute ${key}`);
}

function attr(key: string, values: readonly string[] | undefined, notValues: readonly string[] | undefined, gen: AttributeGenerator): AttributeRule[] {
  return (values?.length ?? 0) > 0 || (notValues?.length ?? 0) > 0 ? [{ key, values: values ?? EMPTY, notValues: notValues ?? EMPTY, gen }] : [];
}

function sourceRules(s: Source | undefined, policyNamespace: string): AttributeRule[] {
  if (!s) return [];
  return [
    ...attr('source.principal', s.principals, s.notPrincipals, GENERATORS.sourcePrincipal),
    ...attr('request.auth.principal', s.requestPrincipals, s.notRequestPrincipals, GENERATORS.requestPrincipal),
    ...attr('source.serviceAccount', s.serviceAccounts, s.notServiceAccounts, serviceAccountGenerator(policyNamespace)),
    ...attr('source.trustDomain', s.trustDomains, s.notTrustDomains, GENERATORS.sourceTrustDomain),
    ...attr('source.namespace', s.namespaces, s.notNamespaces, GENERATORS.sourceNamespace),
    ...attr('remote.ip', s.remoteIpBlocks, s.notRemoteIpBlocks, GENERATORS.remoteIp),
    ...attr('source.ip', s.ipBlocks, s.notIpBlocks, GENERATORS.sourceIp),
  ];
}

function operationRules(o: Operation | undefined): AttributeRule[] {
  if (!o) return [];
  return [
    ...attr(':authority', o.hosts, o.notHosts, GENERATORS.host),
    ...attr(':method', o.methods, o.notMethods, GENERATORS.method),
    ...attr('path', o.paths, o.notPaths, GENERATORS.path),
    ...attr('destination.port', o.ports, o.notPorts, GENERATORS.destinationPort),
  ];
}

/** The model of one rule; throws RuleError for an unknown `when` attribute (Istio skips such rules). */
export function buildModel(policyNamespace: string, rule: Rule): AuthzModel {
  const basePermission: AttributeRule[] = [];
  const basePrincipal: AttributeRule[] = [];
  for (const w of rule.when ?? []) {
    const { side, gen } = conditionGenerator(w.key, policyNamespace);
    (side === 'permission' ? basePermission : basePrincipal).push(...attr(w.key, w.values, w.notValues, gen));
  }
  const from = rule.from ?? [];
  const to = rule.to ?? [];
  return {
    principals: from.length > 0 ? from.map((f) => [...sourceRules(f.source, policyNamespace), ...basePrincipal]) : [basePrincipal],
    permissions: to.length > 0 ? to.map((t) => [...operationRules(t.operation), ...basePermission]) : [basePermission],
  };
}

/** Runs a generator; for DENY/LOG an error just drops the value (undefined). */
function guarded<T>(action: RbacAction, fn: () => T, onIgnored?: (err: RuleError) => void): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (action === 'ALLOW' || !(err instanceof RuleError)) throw err;
    if (!err.httpOnly) onIgnored?.(err);
    return undefined;
  }
}

function unimplemented(key: string): never {
  throw new RuleError(`${key} cannot be used on this side of the rule`);
}

export interface GenerateOptions {
  forTcp: boolean;
  action: RbacAction;
  /** Called for a value a DENY/LOG rule ignores because it is malformed. */
  onIgnored?: (err: RuleError) => void;
}

function sideOf<T>(r: AttributeRule, side: 'permission' | 'principal', o: GenerateOptions, or: (xs: T[]) => T, not: (x: T) => T): T[] {
  const { forTcp, action } = o;
  const out: T[] = [];
  const one = (values: readonly string[]): T | undefined => {
    if (values.length === 0) return undefined;
    const gen = r.gen;
    if (!gen.perValue) {
      return guarded(action, () => {
        const f = gen[side] as ((k: string, v: readonly string[], t: boolean) => T) | undefined;
        return f ? f(r.key, values, forTcp) : unimplemented(r.key);
      }, o.onIgnored);
    }
    const list: T[] = [];
    for (const v of values) {
      const x = guarded(action, () => {
        const f = gen[side] as ((k: string, v: string, t: boolean) => T) | undefined;
        return f ? f(r.key, v, forTcp) : unimplemented(r.key);
      }, o.onIgnored);
      if (x !== undefined) list.push(x);
    }
    return list.length > 0 ? or(list) : undefined;
  };
  const pos = one(r.values);
  if (pos !== undefined) out.push(pos);
  const neg = one(r.notValues);
  if (neg !== undefined) out.push(not(neg));
  return out;
}

const permOr = (rules: PermissionObject[]): PermissionObject => ({ orRules: { rules } });
const permNot = (p: PermissionObject): PermissionObject => ({ notRule: p });
const prinOr = (ids: PrincipalObject[]): PrincipalObject => ({ orIds: { ids } });
const prinNot = (p: PrincipalObject): PrincipalObject => ({ notId: p });

/**
 * The RBAC Policy for a model: permissions and principals as AND sets (an
 * empty set becomes `any`). Throws RuleError only for ALLOW (the rule is then
 * dropped by the caller).
 */
export function generatePolicy(model: AuthzModel, o: GenerateOptions): RbacPolicyObject {
  const permissions = model.permissions.map((list): PermissionObject => {
    const and = list.flatMap((r) => sideOf<PermissionObject>(r, 'permission', o, permOr, permNot));
    return { andRules: { rules: and.length > 0 ? and : [{ any: true }] } };
  });
  const principals = model.principals.map((list): PrincipalObject => {
    const and = list.flatMap((r) => sideOf<PrincipalObject>(r, 'principal', o, prinOr, prinNot));
    return { andIds: { ids: and.length > 0 ? and : [{ any: true }] } };
  });
  return { permissions, principals };
}
