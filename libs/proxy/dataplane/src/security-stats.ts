// Envoy-like counters of the security filters, per proxy: HTTP RBAC
// (`http.<stat_prefix>.rbac.allowed|denied|shadow_allowed|shadow_denied`,
// shadow names after `shadow_rules_stat_prefix`), network RBAC
// (`<stat_prefix>rbac.allowed|denied`, e.g. `tcp.rbac.denied`) and
// jwt_authn (`http.<stat_prefix>.jwt_authn.allowed|denied`). Read by /stats.
const counters = new WeakMap<object, Map<string, number>>();

export function countSecurity(owner: object, name: string): void {
  let m = counters.get(owner);
  if (m === undefined) counters.set(owner, (m = new Map()));
  m.set(name, (m.get(name) ?? 0) + 1);
}

/** [name, value] of every counter of `owner` (the proxy's services). */
export function securityStatEntries(owner: object): [string, number][] {
  return [...(counters.get(owner) ?? new Map<string, number>())];
}
