// Cross-resource consistency: every cluster a listener or route names exists;
// names are unique; filter chain matches within a listener are unique.
import type { ClusterObject, EnvoyObject, FilterChainObject, ListenerObject, ProxyConfig, RouteConfigurationObject, RouteObject } from './envoy-types';

function routeClusters(r: RouteObject): string[] {
  const out: string[] = [];
  if (r.route?.cluster) out.push(r.route.cluster);
  for (const c of r.route?.weightedClusters?.clusters ?? []) out.push(c.name);
  for (const m of r.route?.requestMirrorPolicies ?? []) out.push(m.cluster);
  return out;
}

function chainClusters(chain: FilterChainObject): string[] {
  const out: string[] = [];
  for (const f of chain.filters) {
    const cfg = f.typedConfig as EnvoyObject;
    if (typeof cfg['cluster'] === 'string') out.push(cfg['cluster']);
    const wc = cfg['weightedClusters'] as { clusters?: { name: string }[] } | undefined;
    for (const c of wc?.clusters ?? []) out.push(c.name);
    const inline = cfg['routeConfig'] as RouteConfigurationObject | undefined;
    for (const vh of inline?.virtualHosts ?? []) for (const r of vh.routes) out.push(...routeClusters(r));
  }
  return out;
}

/** Cluster names referenced by listeners and routes that are not among `clusters`. */
export function danglingClusterReferences(config: Pick<ProxyConfig, 'listeners' | 'routes' | 'clusters'>): string[] {
  const have = new Set(config.clusters.map((c) => c.name));
  const refs = new Set<string>();
  for (const l of config.listeners) for (const ch of [...(l.filterChains ?? []), ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) chainClusters(ch).forEach((c) => refs.add(c));
  for (const rc of config.routes) for (const vh of rc.virtualHosts) for (const r of vh.routes) routeClusters(r).forEach((c) => refs.add(c));
  return [...refs].filter((c) => !have.has(c)).sort();
}

/** RDS names listeners ask for that are not among `routes`. */
export function danglingRouteReferences(config: Pick<ProxyConfig, 'listeners' | 'routes'>): string[] {
  const have = new Set(config.routes.map((r) => r.name));
  const refs = new Set<string>();
  const visit = (hcm: EnvoyObject | undefined) => {
    const rds = hcm?.['rds'] as { routeConfigName?: string } | undefined;
    if (rds?.routeConfigName) refs.add(rds.routeConfigName);
  };
  for (const l of config.listeners) {
    visit(l.apiListener?.apiListener);
    for (const ch of l.filterChains ?? []) for (const f of ch.filters) visit(f.typedConfig);
  }
  return [...refs].filter((r) => !have.has(r)).sort();
}

/** Names of SDS secrets (`{name, sdsConfig}` references) in the transport sockets of listeners' chains and clusters. */
export function sdsSecretNames(listeners: readonly ListenerObject[], clusters: readonly ClusterObject[]): Set<string> {
  const out = new Set<string>();
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (typeof x === 'object' && x !== null) {
      const o = x as EnvoyObject;
      if (typeof o['name'] === 'string' && o['sdsConfig'] !== undefined) out.add(o['name']);
      else for (const v of Object.values(o)) visit(v);
    }
  };
  for (const l of listeners) for (const ch of [...(l.filterChains ?? []), ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) visit(ch.transportSocket);
  for (const c of clusters) {
    visit(c['transportSocket']);
    visit(c['transportSocketMatches']);
  }
  return out;
}

/** Keeps the first of each name (a warning for each dropped duplicate). */
export function uniqueByName<T extends { name: string }>(list: T[], warn: (m: string) => void, what: string): T[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    if (seen.has(x.name)) {
      warn(`duplicate ${what} ${x.name} dropped`);
      return false;
    }
    seen.add(x.name);
    return true;
  });
}

/** Drops filter chains whose match repeats an earlier chain's (Envoy and gRPC reject duplicates). */
export function uniqueChainMatches(listener: ListenerObject, warn: (m: string) => void): ListenerObject {
  if (!listener.filterChains) return listener;
  const seen = new Set<string>();
  const chains = listener.filterChains.filter((c) => {
    const key = JSON.stringify(c.filterChainMatch ?? {});
    if (seen.has(key)) {
      warn(`listener ${listener.name}: filter chain ${c.name ?? ''} repeats an earlier match; dropped`);
      return false;
    }
    seen.add(key);
    return true;
  });
  return chains.length === listener.filterChains.length ? listener : { ...listener, filterChains: chains };
}

export type { ClusterObject };
