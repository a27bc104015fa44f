// Make-before-break for clients that subscribe on demand (proxyless gRPC):
// such a client asks for a cluster only after a route names it. If config
// moves on between Pilot sending that route and the client asking for its
// cluster (a DestinationRule replaced its subsets), the cluster is gone and
// the client is told it does not exist: calls on the route it still uses
// fail. So a cluster that disappears from a proxy key's output stays served
// (with its last endpoints) for a grace period; a client that no longer
// routes to it stops subscribing and never sees it again.
import type { TypeResources, VersionedResource } from '@sextant/xds-server';

interface Retired {
  cluster: VersionedResource;
  claName: string;
  cla: VersionedResource | undefined;
  until: number;
}

interface KeyState {
  clusters: TypeResources;
  endpoints: TypeResources;
  retired: Map<string, Retired>;
  seen: number;
}

/** The name of a cluster's ClusterLoadAssignment: eds_cluster_config.service_name, else the cluster name. */
function claNameOf(name: string, cluster: VersionedResource): string {
  const eds = (cluster.resource as { edsClusterConfig?: { serviceName?: string } }).edsClusterConfig;
  return eds?.serviceName || name;
}

function union(fresh: TypeResources, extra: Iterable<[string, VersionedResource]>): TypeResources {
  let out: Map<string, VersionedResource> | undefined;
  for (const [name, r] of extra) {
    if (fresh.has(name)) continue;
    out ??= new Map(fresh);
    out.set(name, r);
  }
  return out ?? fresh;
}

export class ClusterRetirement {
  private readonly state = new Map<string, KeyState>();

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Clusters retired for `key` right now (for debug pages). */
  retired(key: string): string[] {
    const s = this.state.get(key);
    const now = this.now();
    return s ? [...s.retired.entries()].filter(([, r]) => r.until > now).map(([n]) => n) : [];
  }

  /** A fresh translation of `key`: clusters it had and lost stay for the grace period. */
  clusters(key: string, fresh: TypeResources, freshEndpoints: TypeResources): { clusters: TypeResources; endpoints: TypeResources } {
    const now = this.now();
    const last = this.state.get(key);
    const retired = new Map<string, Retired>();
    if (last && this.graceMs > 0) {
      for (const [name, r] of last.retired) if (r.until > now && !fresh.has(name)) retired.set(name, r);
      for (const [name, cluster] of last.clusters) {
        if (fresh.has(name) || retired.has(name)) continue;
        const claName = claNameOf(name, cluster);
        retired.set(name, { cluster, claName, cla: last.endpoints.get(claName), until: now + this.graceMs });
      }
    }
    this.state.set(key, { clusters: fresh, endpoints: freshEndpoints, retired, seen: now });
    this.prune(now);
    return { clusters: union(fresh, [...retired].map(([n, r]) => [n, r.cluster])), endpoints: this.withRetired(freshEndpoints, retired, now) };
  }

  /** A fresh translation of `key`'s endpoints only: retired clusters keep their last endpoints. */
  endpoints(key: string, fresh: TypeResources): TypeResources {
    const s = this.state.get(key);
    if (!s) return fresh;
    s.endpoints = fresh;
    s.seen = this.now();
    return this.withRetired(fresh, s.retired, s.seen);
  }

  private withRetired(fresh: TypeResources, retired: Map<string, Retired>, now: number): TypeResources {
    const extra: [string, VersionedResource][] = [];
    for (const r of retired.values()) if (r.until > now && r.cla) extra.push([r.claName, r.cla]);
    return union(fresh, extra);
  }

  /** Forgets keys nobody asked for in a long while. */
  private prune(now: number): void {
    if (this.state.size < 256) return;
    for (const [k, s] of this.state) if (now - s.seen > 10 * 60_000) this.state.delete(k);
  }
}
