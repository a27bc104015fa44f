// The immutable view of configuration the data plane runs on, and the
// warming rules that decide which accepted resource versions are in it:
// an EDS cluster is active once its endpoints arrived, a route configuration
// once the clusters it names are active (with VHDS, also once it has a host:
// hosts are resources of their own, each warm once its clusters are, merged
// into their route configuration), a listener once its route configurations
// are active. Until then the previous version (if any) stays
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
  return { listener: new Map(), route: new Map(), vhost: new Map(), cluster: new Map(), endpoint: new Map(), secret: new Map() };
}

/** The route configuration (namespace) of a VHDS resource name `<route configuration>/<host>`: the part before the last "/". */
export function vhostNamespace(name: string): string | undefined {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : undefined;
}

/** Route configurations whose hosts come by VHDS (their names are the VHDS subscriptions). */
export function vhdsRouteNames(routes: ResourceTable<'route'>): Set<string> {
  const out = new Set<string>();
  for (const [name, r] of routes) if (r.value.vhds) out.add(name);
  return out;
}

/** VHDS hosts by route configuration (their namespace), each list sorted by host resource name: the order they are merged in. */
export function hostsByRoute(hosts: ResourceTable<'vhost'>): Map<string, StoredResource<'vhost'>[]> {
  const out = new Map<string, StoredResource<'vhost'>[]>();
  for (const [name, h] of [...hosts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const ns = vhostNamespace(name);
    if (ns === undefined) continue;
    let list = out.get(ns);
    if (!list) out.set(ns, (list = []));
    list.push(h);
  }
  return out;
}

const merged = new WeakMap<StoredResource<'route'>, { hosts: StoredResource<'vhost'>[]; value: RouteConfig }>();

/**
 * A VHDS route configuration with its active hosts after its own, sorted by
 * name; the same object while neither changes (the data plane recompiles a
 * route table only when its object changes).
 */
function withHosts(rc: StoredResource<'route'>, hosts: StoredResource<'vhost'>[]): RouteConfig {
  const known = merged.get(rc);
  if (known && known.hosts.length === hosts.length && known.hosts.every((h, i) => h === hosts[i])) return known.value;
  const value: RouteConfig = { ...rc.value, virtualHosts: [...rc.value.virtualHosts, ...hosts.map((h) => h.value)] };
  merged.set(rc, { hosts, value });
  return value;
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
  // VHDS hosts warm like routes (their clusters active); a VHDS route configuration once it has a host.
  for (const [name, h] of accepted.vhost) {
    const hostClusters = clustersOfRoute({ virtualHosts: [h.value], mirrors: [] } as unknown as RouteConfig);
    pick('vhost', name, h, hostClusters.every((c) => active.cluster.has(c)));
  }
  const hostsOf = hostsByRoute(active.vhost);
  for (const [name, r] of accepted.route) {
    const hostsReady = !r.value.vhds || (hostsOf.get(name)?.length ?? 0) > 0;
    pick('route', name, r, hostsReady && clustersOfRoute(r.value).every((c) => active.cluster.has(c)));
  }
  for (const [name, l] of accepted.listener) {
    const warm = routeNamesOfListener(l.value).every((r) => active.route.has(r)) && clustersOfListener(l.value).every((c) => active.cluster.has(c));
    pick('listener', name, l, warm);
  }
  const values = <K extends ResourceKind>(t: ResourceTable<K>) => new Map([...t].map(([n, e]) => [n, e.value] as [string, ResourceValueMap[K]]));
  const snapshot: ConfigSnapshot = {
    version,
    listeners: values(active.listener),
    routes: new Map([...active.route].map(([n, e]) => [n, e.value.vhds ? withHosts(e, hostsOf.get(n) ?? []) : e.value] as [string, RouteConfig])),
    clusters: values(active.cluster),
    endpoints: values(active.endpoint),
    secrets: values(active.secret),
  };
  return { active, result: { snapshot, warming } };
}
