// One upstream cluster at run time: its hosts (from EDS, a static
// assignment, DNS, or the original destination), priority levels with
// overprovisioning and panic mode, a load balancer per level, circuit
// breaker counters, outlier detection and stats. Lives across config
// updates; requests in flight hold it and finish even if it is removed.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ClusterConfig, LoadAssignment } from '@sextant/xds-client';
import { ClusterStats } from './cluster-stats';
import { Host } from './host';
import type { SeriesGroup } from './istio-metrics';
import { createLoadBalancer, type LoadBalancer } from './load-balancer';
import { OutlierDetector } from './outlier-detector';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget';

interface Level {
  all: Host[];
  healthy: Host[];
  /** Share of traffic (0..100). */
  load: number;
  lb: LoadBalancer;
}

/** Labels of the destination service, for Istio's metrics. */
export interface DestinationService {
  host: string;
  name: string;
  namespace: string;
}

/** "outbound|9080|v1|reviews.default.svc.cluster.local" -> the service it names. */
export function serviceFromClusterName(name: string): DestinationService | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const host = parts[3]!;
  if (!host) return undefined;
  const labels = host.split('.');
  return { host, name: labels[0] ?? host, namespace: labels[1] ?? '' };
}

export class ClusterRuntime {
  readonly stats = new ClusterStats();
  readonly retryBudget: RetryBudget;
  hosts: Host[] = [];
  private byKey = new Map<string, Host>();
  private levels: Level[] = [];
  private dirty = true;
  private outlier: OutlierDetector | undefined;
  private dnsTimer: NodeJS.Timeout | undefined;
  private assignment: LoadAssignment | undefined;
  // circuit breaker counters
  activeRequests = 0;
  pendingRequests = 0;
  activeConnections = 0;
  activeRetries = 0;
  removed = false;
  service: DestinationService | undefined;
  /** The Istio metrics series last recorded for requests to this cluster (lookup cache). */
  lastSeries: SeriesGroup | undefined;
  /** Hosts created on demand for ORIGINAL_DST clusters. */
  private readonly originalDstHosts = new Map<string, Host>();

  constructor(
    public config: ClusterConfig,
    budget?: RetryBudgetOptions,
  ) {
    this.retryBudget = new RetryBudget(budget);
    this.applyConfig(config);
  }

  get name(): string {
    return this.config.name;
  }

  update(config: ClusterConfig): void {
    if (config === this.config) return;
    const lbChanged = config.lbPolicy !== this.config.lbPolicy || config.ringHash.minRingSize !== this.config.ringHash.minRingSize;
    this.config = config;
    this.applyConfig(config);
    if (lbChanged) this.levels = [];
    this.dirty = true;
  }

  private applyConfig(config: ClusterConfig): void {
    const svc = config.istioServices[0];
    this.service = svc ? { host: svc.host, name: svc.name, namespace: svc.namespace } : serviceFromClusterName(config.name);
    if (config.outlierDetection) {
      if (this.outlier) this.outlier.update(config.outlierDetection);
      else this.outlier = new OutlierDetector(config.outlierDetection, this);
    } else if (this.outlier) {
      this.outlier.stop();
      this.outlier = undefined;
      for (const h of this.hosts) h.ejected = false;
      this.stats.ejectionsActive = 0;
    }
    if (config.discovery === 'STATIC' || config.discovery === 'STRICT_DNS' || config.discovery === 'LOGICAL_DNS') {
      this.setAssignment(config.loadAssignment);
    }
  }

  get outlierDetector(): OutlierDetector | undefined {
    return this.outlier;
  }

  /** Endpoints from EDS (or the cluster's own assignment). */
  setAssignment(la: LoadAssignment | undefined): void {
    if (la === this.assignment && this.hosts.length > 0) return;
    this.assignment = la;
    clearTimeout(this.dnsTimer);
    if (!la) {
      this.setHosts([]);
      return;
    }
    const dns = this.config.discovery === 'STRICT_DNS' || this.config.discovery === 'LOGICAL_DNS';
    if (dns && la.localities.some((l) => l.endpoints.some((e) => isIP(e.host) === 0))) {
      void this.resolve(la);
      return;
    }
    this.setHosts(
      la.localities.flatMap((l) =>
        l.endpoints.map((e) => {
          const h = new Host(e.host, e.port, e, l.priority, `${l.locality.region}/${l.locality.zone}/${l.locality.subZone}`);
          return h;
        }),
      ),
    );
  }

  private async resolve(la: LoadAssignment): Promise<void> {
    const all = this.config.discovery === 'STRICT_DNS';
    const family = this.config.dnsFamily === 'V4_ONLY' ? 4 : this.config.dnsFamily === 'V6_ONLY' ? 6 : 0;
    const hosts: Host[] = [];
    for (const l of la.localities) {
      for (const e of l.endpoints) {
        try {
          const addrs = isIP(e.host) ? [{ address: e.host }] : await lookup(e.host, { all: true, family });
          for (const a of all ? addrs : addrs.slice(0, 1)) hosts.push(new Host(a.address, e.port, { ...e, hostname: e.hostname || e.host }, l.priority));
        } catch {
          // keep trying on the next refresh
        }
      }
    }
    if (this.removed || la !== this.assignment) return;
    this.setHosts(hosts);
    this.dnsTimer = setTimeout(() => void this.resolve(la), Math.max(1000, this.config.dnsRefreshMs));
    this.dnsTimer.unref();
  }

  /** Replaces the host set, keeping Host objects (pools, outlier state) for unchanged addresses. */
  setHosts(next: Host[]): void {
    const byKey = new Map<string, Host>();
    const hosts: Host[] = [];
    for (const n of next) {
      const prev = this.byKey.get(n.key) ?? byKey.get(n.key);
      if (byKey.has(n.key)) continue;
      if (prev) {
        prev.weight = n.weight;
        prev.health = n.health;
        prev.priority = n.priority;
        prev.locality = n.locality;
        prev.hostname = n.hostname;
        prev.workload = n.workload;
        prev.socketMatch = n.socketMatch;
        prev.removed = false;
        byKey.set(n.key, prev);
        hosts.push(prev);
      } else {
        byKey.set(n.key, n);
        hosts.push(n);
      }
    }
    for (const [key, h] of this.byKey) {
      if (byKey.has(key)) continue;
      h.removed = true;
      if (h.ejected) this.stats.ejectionsActive--;
      h.closePools();
    }
    this.byKey = byKey;
    this.hosts = hosts;
    this.stats.membership_total = hosts.length;
    this.hostsChanged();
  }

  hostsChanged(): void {
    this.dirty = true;
  }

  private rebuild(): void {
    this.dirty = false;
    const maxPriority = this.hosts.reduce((m, h) => Math.max(m, h.priority), 0);
    const old = this.levels;
    const levels: Level[] = [];
    let healthyTotal = 0;
    for (let p = 0; p <= maxPriority; p++) {
      const all = this.hosts.filter((h) => h.priority === p);
      const healthy = all.filter((h) => h.usable);
      healthyTotal += healthy.length;
      const lb = old[p]?.lb ?? createLoadBalancer(this.config.lbPolicy, { choiceCount: this.config.leastRequestChoiceCount, ...this.config.ringHash });
      levels.push({ all, healthy, load: 0, lb });
    }
    this.stats.membership_healthy = healthyTotal;
    // Priority load with the overprovisioning factor (1.4 by default).
    const factor = (this.assignment?.overprovisioningFactor ?? 140) / 100;
    const health = levels.map((l) => (l.all.length === 0 ? 0 : Math.min(100, Math.round((factor * 100 * l.healthy.length) / l.all.length))));
    const sum = health.reduce((a, b) => a + b, 0);
    let remaining = 100;
    levels.forEach((l, i) => {
      const want = sum >= 100 ? health[i]! : sum === 0 ? (i === 0 ? 100 : 0) : (health[i]! * 100) / sum;
      l.load = Math.min(remaining, want);
      remaining -= l.load;
      // Panic: below the threshold, balance over every host of the level.
      const healthyPct = l.all.length === 0 ? 0 : (100 * l.healthy.length) / l.all.length;
      const panic = this.config.healthyPanicThreshold > 0 && healthyPct < this.config.healthyPanicThreshold;
      l.lb.refresh(panic ? l.all : l.healthy);
    });
    this.levels = levels;
  }

  /** Picks a host; undefined when none is available (503, response flag UH). */
  pick(hash: number | undefined, exclude: Host | undefined): Host | undefined {
    if (this.dirty) this.rebuild();
    const levels = this.levels;
    if (levels.length === 0) return undefined;
    if (levels.length === 1 || levels[0]!.load >= 100) return levels[0]!.lb.pick(hash, exclude);
    let r = Math.random() * 100;
    for (const l of levels) {
      if (r < l.load) return l.lb.pick(hash, exclude);
      r -= l.load;
    }
    return levels[0]!.lb.pick(hash, exclude);
  }

  /** A host for an original destination (ORIGINAL_DST clusters). */
  originalDstHost(address: string, port: number): Host {
    const key = `${address}:${port}`;
    let h = this.originalDstHosts.get(key);
    if (!h) {
      h = new Host(address, this.config.originalDst.portOverride ?? port);
      if (this.originalDstHosts.size > 1024) {
        for (const [k, old] of this.originalDstHosts) {
          if (old.activeRequests === 0 && old.connections === 0) this.originalDstHosts.delete(k);
        }
      }
      this.originalDstHosts.set(key, h);
    }
    return h;
  }

  allHosts(): Host[] {
    return [...this.hosts, ...this.originalDstHosts.values()];
  }

  // circuit breaking -------------------------------------------------------

  /** Whether another request may start (max_requests). */
  canStartRequest(): boolean {
    return this.activeRequests < this.config.thresholds.maxRequests;
  }

  /**
   * Whether a retry may start: Envoy's retry budget or max_retries, and for default retries the Linkerd-style budget.
   * neverProcessed: the upstream refused the request before processing it (REFUSED_STREAM,
   * beyond a GOAWAY's last stream id, a reused connection the server had already closed): sending it again adds no load the
   * upstream ever saw, and such refusals come in bursts (every stream in flight when a connection drains), so the
   * concurrent-retry circuit breaker does not apply; default retries still take their share of the retry budget.
   */
  canRetry(defaultPolicy: boolean, now: number, neverProcessed = false): boolean {
    const t = this.config.thresholds;
    if (neverProcessed) {
      // Checked below: only the rolling budget of default retries.
    } else if (t.retryBudget) {
      const allowed = Math.max(t.retryBudget.minConcurrency, (t.retryBudget.percent / 100) * this.activeRequests);
      if (this.activeRetries >= allowed) return false;
    } else if (this.activeRetries >= t.maxRetries) return false;
    return defaultPolicy ? this.retryBudget.tryWithdraw(this.activeRequests, now) : true;
  }

  retire(): void {
    this.removed = true;
    this.outlier?.stop();
    clearTimeout(this.dnsTimer);
    for (const h of this.allHosts()) h.closePools();
  }
}
