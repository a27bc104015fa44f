// The reference evaluator of Envoy RBAC as we emit it (and as the Sextant
// proxy must implement it): a Policy matches when at least one permission
// AND at least one principal match; ALLOW rules let a request through only
// when some policy matches, DENY rules stop it when some policy matches, LOG
// rules never stop it (they mark it for the access log). Shadow rules are
// evaluated the same way and only reported.
import { headerValue, matchCidr, matchHeader, matchMetadata, matchString, matchUriTemplate, type DynamicMetadata, type HeaderMap } from './envoy-match';
import type { PermissionObject, PrincipalObject, RbacFilterConfig, RbacPolicyObject, RbacRulesObject } from './rbac-types';

/** What RBAC can see of a connection or request. */
export interface RbacAttributes {
  /** The direct peer address (Envoy: direct_remote_ip). */
  directRemoteIp?: string;
  /** The original client address, from X-Forwarded-For when trusted (Envoy: remote_ip); defaults to directRemoteIp. */
  remoteIp?: string;
  /** Local address and port of the connection (the workload's for inbound). */
  destinationIp?: string;
  destinationPort?: number;
  /** SNI the client sent ('' or absent: none). */
  requestedServerName?: string;
  /** URI SAN of the verified client certificate; absent on plaintext or without a client certificate. */
  peerPrincipal?: string;
  /** Request headers including `:method`, `:path`, `:authority` (absent for TCP). */
  headers?: HeaderMap;
  /** Dynamic metadata by filter namespace (jwt_authn writes `envoy.filters.http.jwt_authn`). */
  metadata?: DynamicMetadata;
}

/** The path part of `:path` (no query, no fragment), as url_path matchers see it. */
export function urlPathOf(a: RbacAttributes): string | undefined {
  const p = a.headers ? headerValue(a.headers, ':path') : undefined;
  return p === undefined ? undefined : p.split(/[?#]/, 1)[0];
}

export function permissionMatches(p: PermissionObject, a: RbacAttributes): boolean {
  if (p.andRules) return p.andRules.rules.every((r) => permissionMatches(r, a));
  if (p.orRules) return p.orRules.rules.some((r) => permissionMatches(r, a));
  if (p.notRule) return !permissionMatches(p.notRule, a);
  if (p.any) return true;
  if (p.header) return a.headers !== undefined && matchHeader(p.header, a.headers);
  if (p.urlPath) return matchString(p.urlPath.path, urlPathOf(a));
  if (p.uriTemplate) {
    const path = urlPathOf(a);
    return path !== undefined && matchUriTemplate(p.uriTemplate.typedConfig.pathTemplate, path);
  }
  if (p.destinationIp) return matchCidr(p.destinationIp, a.destinationIp);
  if (p.destinationPort !== undefined) return a.destinationPort === p.destinationPort;
  if (p.requestedServerName) return matchString(p.requestedServerName, a.requestedServerName ?? '');
  if (p.metadata) return matchMetadata(p.metadata, a.metadata ?? {});
  return false;
}

export function principalMatches(p: PrincipalObject, a: RbacAttributes): boolean {
  if (p.andIds) return p.andIds.ids.every((r) => principalMatches(r, a));
  if (p.orIds) return p.orIds.ids.some((r) => principalMatches(r, a));
  if (p.notId) return !principalMatches(p.notId, a);
  if (p.any) return true;
  if (p.authenticated) return a.peerPrincipal !== undefined && matchString(p.authenticated.principalName, a.peerPrincipal);
  if (p.directRemoteIp) return matchCidr(p.directRemoteIp, a.directRemoteIp);
  if (p.remoteIp) return matchCidr(p.remoteIp, a.remoteIp ?? a.directRemoteIp);
  if (p.header) return a.headers !== undefined && matchHeader(p.header, a.headers);
  if (p.metadata) return matchMetadata(p.metadata, a.metadata ?? {});
  return false;
}

export function policyMatches(policy: RbacPolicyObject, a: RbacAttributes): boolean {
  return policy.permissions.some((p) => permissionMatches(p, a)) && policy.principals.some((p) => principalMatches(p, a));
}

export interface RbacRulesResult {
  /** Whether these rules let the request through (LOG: always). */
  allowed: boolean;
  /** The first matching policy by name (names sorted), if any. */
  matchedPolicy?: string;
}

export function evaluateRbacRules(rules: RbacRulesObject, a: RbacAttributes): RbacRulesResult {
  const matched = Object.keys(rules.policies)
    .sort()
    .find((name) => policyMatches(rules.policies[name]!, a));
  const allowed = rules.action === 'ALLOW' ? matched !== undefined : rules.action === 'DENY' ? matched === undefined : true;
  return matched !== undefined ? { allowed, matchedPolicy: matched } : { allowed };
}

export interface RbacFilterResult {
  allowed: boolean;
  /** Policy that made the decision: the matching DENY policy, or the ALLOW policy that let it through. */
  matchedPolicy?: string;
  /** LOG action: the request matched and is marked for the audit log. */
  logged?: string;
  /** Shadow (dry-run) rules: their would-be outcome. */
  shadow?: RbacRulesResult;
}

/** One RBAC filter (HTTP or network): enforced rules (absent: allow), then shadow rules (reported only). */
export function evaluateRbacFilter(cfg: RbacFilterConfig, a: RbacAttributes): RbacFilterResult {
  const out: RbacFilterResult = { allowed: true };
  if (cfg.rules) {
    const r = evaluateRbacRules(cfg.rules, a);
    out.allowed = r.allowed;
    if (r.matchedPolicy !== undefined) {
      if (cfg.rules.action === 'LOG') out.logged = r.matchedPolicy;
      else out.matchedPolicy = r.matchedPolicy;
    }
  }
  if (cfg.shadowRules) out.shadow = evaluateRbacRules(cfg.shadowRules, a);
  return out;
}

/** Where Envoy's RBAC filter with action LOG marks a request it matched: the shared `envoy.common` namespace, key `access_log_hint`. */
export const ACCESS_LOG_HINT = { namespace: 'envoy.common', key: 'access_log_hint' } as const;

/** `md` with the access log hint set (the same object when it already is). */
export function withAccessLogHint(md: DynamicMetadata): DynamicMetadata {
  const ns = md[ACCESS_LOG_HINT.namespace];
  if (ns?.[ACCESS_LOG_HINT.key] === true) return md;
  return { ...md, [ACCESS_LOG_HINT.namespace]: { ...ns, [ACCESS_LOG_HINT.key]: true } };
}
