// The immutable view of configuration the data plane runs on, and the
// warming rules that decide which accepted resource versions are in it:
// an EDS cluster is active once its endpoints arrived, a route configuration
// once the clusters it names are active, a listener once its route
// configurations are active. Until then the previous version (if any) stays
// active; after the warming timeout the new version goes in regardless.
import type { ClusterConfig, LoadAssignment, SecretConfig } from './cluster-types';
import type { HttpConnectionManagerConfig, ListenerConfig } from './listener-types';
import type { ResourceKind, ResourceValueMap } from './resource-types';
import type { RouteConfig } from './route-types';

export interface ConfigSnapshot {
  /** Increases with every published snapshot. */
  readonly version: number;
  readonly listeners: ReadonlyMap<string, ListenerConfig>;
  readonly routes: ReadonlyMap<string, RouteConfig>;
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  readonly endpoints: ReadonlyMap<string, LoadAssignment>;
  readonly secrets: ReadonlyMap<string, SecretConfig>;
}

export const EMPTY_CONFIG: ConfigSnapshot = {
  version: 0,
  listeners: new Map(),
  routes: new Map(),
  clusters: new Map(),
  endpoints: new Map(),
  secrets: new Map(),
};

export interface StoredResource<K extends ResourceKind = ResourceKind> {
  name: string;
  version: string;
  value: ResourceValueMap[K];
  /** The resource as received (for config dumps). */
  bytes: Uint8Array;
  acceptedAt: number;
}

export type ResourceTable<K extends ResourceKind> = Map<string, StoredResource<K>>;
export type AcceptedResources = { [K in ResourceKind]: ResourceTable<K> };

export function emptyTables(): AcceptedResources {
  return { listener: new Map(), route: new Map(), cluster: new Map(), endpoint: new Map(), secret: new Map() };
}

/** Cluster names a route configuration sends traffic to (cluster_header targets excluded). */
export function clustersOfRoute(rc: RouteConfig): string[] {
  const out = new Set<string>();
  for (const m of rc.mirrors) out.add(m.cluster);
  for (const vh of rc.virtualHosts) {
    for (const m of vh.mirrors) out.add(m.cluster);
    for (const r of vh.routes) {
      if (r.action.kind !== 'route') continue;
      const c = r.action.cluster;
      if (c.kind === 'cluster') out.add(c.name);
      else if (c.kind === 'weighted') for (const w of c.clusters) out.add(w.name);
      for (const m of r.action.mirrors) out.add(m.cluster);
    }
  }
  return [...out];
}

/** Route configuration names (RDS) a listener needs. */
export function routeNamesOfListener(l: ListenerConfig): string[] {
  const out = new Set<string>();
  const chains = l.defaultFilterChain ? [...l.filterChains, l.defaultFilterChain] : l.filterChains;
  for (const c of chains) if (c.filter.kind === 'http' && c.filter.routes.kind === 'rds') out.add(c.filter.routes.name);
  return [...out];
}

/** Clusters a listener names directly (TCP proxy, inline routes). */
export function clustersOfListener(l: ListenerConfig): string[] {
  const out = new Set<string>();
  const chains = l.defaultFilterChain ? [...l.filterChains, l.defaultFilterChain] : l.filterChains;
  for (const c of chains) {
    if (c.filter.kind === 'tcp') {
      const t = c.filter.cluster;
      if (t.kind === 'cluster') out.add(t.name);
      else for (const w of t.clusters) out.add(w.name);
    } else {
      const hcm: HttpConnectionManagerConfig = c.filter;
      if (hcm.routes.kind === 'inline') for (const name of clustersOfRoute(hcm.routes.config)) out.add(name);
    }
  }
  return [...out];
}

export interface AssembleResult {
  snapshot: ConfigSnapshot;
  /** Resources (kind/name) still warming, with the time they go in regardless. */
  warming: { kind: ResourceKind; name: string; until: number }[];
}

/**
 * Picks, per resource, the accepted version when it is warm, else the
 * previously active version, else nothing yet.
 */
export function assembleSnapshot(accepted: AcceptedResources, previous: AcceptedResources, now: number, warmTimeoutMs: number, version: number): { active: AcceptedResources; result: AssembleResult } {
  const active = emptyTables();
  const warming: AssembleResult['warming'] = [];
  const timedOut = (r: StoredResource) => now - r.acceptedAt >= warmTimeoutMs;
  const pick = <K extends ResourceKind>(kind: K, name: string, entry: StoredResource<K>, warm: boolean) => {
    if (warm || timedOut(entry)) {
      active[kind].set(name, entry);
      return;
    }
    warming.push({ kind, name, until: entry.acceptedAt + warmTimeoutMs });
    const prev = previous[kind].get(name);
    if (prev) active[kind].set(name, prev);
  };

  for (const [name, e] of accepted.endpoint) active.endpoint.set(name, e);
  for (const [name, e] of accepted.secret) active.secret.set(name, e);
  for (const [name, c] of accepted.cluster) {
    pick('cluster', name, c, c.value.discovery !== 'EDS' || accepted.endpoint.has(c.value.edsServiceName));
  }
  for (const [name, r] of accepted.route) {
    pick('route', name, r, clustersOfRoute(r.value).every((c) => active.cluster.has(c)));
  }
  for (const [name, l] of accepted.listener) {
    const warm = routeNamesOfListener(l.value).every((r) => active.route.has(r)) && clustersOfListener(l.value).every((c) => active.cluster.has(c));
    pick('listener', name, l, warm);
  }
  const values = <K extends ResourceKind>(t: ResourceTable<K>) => new Map([...t].map(([n, e]) => [n, e.value] as [string, ResourceValueMap[K]]));
  const snapshot: ConfigSnapshot = {
    version,
    listeners: values(active.listener),
    routes: values(active.route),
    clusters: values(active.cluster),
    endpoints: values(active.endpoint),
    secrets: values(active.secret),
  };
  return { active, result: { snapshot, warming } };
}
