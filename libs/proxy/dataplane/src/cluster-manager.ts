// Keeps one ClusterRuntime per cluster across snapshots: new clusters are
// created, changed ones updated in place (hosts, pools and ejections kept),
// removed ones retired (requests in flight on them still finish).
import type { ConfigSnapshot } from '@sextant/xds-client';
import { ClusterRuntime } from './cluster-runtime';
import type { RetryBudgetOptions } from './retry-budget';

export class ClusterManager {
  private current = new Map<string, ClusterRuntime>();

  constructor(private readonly budget?: RetryBudgetOptions) {}

  apply(snapshot: ConfigSnapshot): ReadonlyMap<string, ClusterRuntime> {
    const next = new Map<string, ClusterRuntime>();
    for (const [name, config] of snapshot.clusters) {
      let rt = this.current.get(name);
      if (rt) rt.update(config);
      else rt = new ClusterRuntime(config, this.budget);
      if (config.discovery === 'EDS') rt.setAssignment(snapshot.endpoints.get(config.edsServiceName));
      next.set(name, rt);
    }
    for (const [name, rt] of this.current) if (!next.has(name)) rt.retire();
    this.current = next;
    return next;
  }

  get clusters(): ReadonlyMap<string, ClusterRuntime> {
    return this.current;
  }

  close(): void {
    for (const rt of this.current.values()) rt.retire();
  }
}
