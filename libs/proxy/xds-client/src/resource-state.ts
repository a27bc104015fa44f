// The client's resource state: accepted versions per type, what was
// rejected and why, the active (warm) set and the published snapshot.
// Applying an update is all-or-nothing per resource: a bad resource keeps
// its last good version and its error goes into the NACK.
import type { Logger } from '@sextant/util';
import {
  assembleSnapshot,
  emptyTables,
  routeNamesOfListener,
  vhdsRouteNames,
  vhostNamespace,
  EMPTY_CONFIG,
  type AcceptedResources,
  type AssembleResult,
  type ConfigSnapshot,
  type StoredResource,
} from './config-snapshot';
import { RESOURCE_TYPES, type ResourceKind } from './resource-types';
import type { ResourceUpdate } from './stream-host';

export interface RejectedResource {
  version: string;
  errors: string[];
  at: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export class ResourceState {
  readonly accepted: AcceptedResources = emptyTables();
  active: AcceptedResources = emptyTables();
  readonly rejected: { [K in ResourceKind]: Map<string, RejectedResource> } = {
    listener: new Map(),
    route: new Map(),
    vhost: new Map(),
    cluster: new Map(),
    endpoint: new Map(),
    secret: new Map(),
  };
  /** Last system version (SotW version_info) accepted per type. */
  readonly typeVersions: Partial<Record<ResourceKind, string>> = {};
  snapshot: ConfigSnapshot = EMPTY_CONFIG;
  warming: AssembleResult['warming'] = [];
  private readonly warned = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly warmTimeoutMs: number,
  ) {}

  /** Applies one response's worth of resources; returns the NACK errors. */
  apply(kind: ResourceKind, update: ResourceUpdate): string[] {
    const type = RESOURCE_TYPES[kind];
    const table = this.accepted[kind] as Map<string, StoredResource>;
    const errors: string[] = [];
    const seen = new Set<string>();
    /** Resources this update changed, and what they replaced (VHDS hosts may still be refused for a domain clash). */
    const changed = new Set<string>();
    const previous = new Map<string, StoredResource>();
    for (const item of update.resources) {
      if (item.error || !item.bytes) {
        errors.push(`${type.short} ${item.name || '(unnamed)'}: ${item.error ?? 'no body'}`);
        if (item.name) {
          seen.add(item.name);
          this.rejected[kind].set(item.name, { version: item.version, errors: [item.error ?? 'no body'], at: this.now() });
        }
        continue;
      }
      let decoded: ReturnType<typeof type.decodeBytes>;
      try {
        decoded = type.decodeBytes(item.bytes);
      } catch (err) {
        errors.push(`${type.short} ${item.name || '(unnamed)'}: ${(err as Error).message}`);
        if (item.name) seen.add(item.name);
        continue;
      }
      const name = item.name || decoded.name;
      seen.add(name);
      if (item.name && decoded.name && item.name !== decoded.name) {
        const msg = `resource named ${item.name} holds ${decoded.name}`;
        errors.push(`${type.short} ${item.name}: ${msg}`);
        this.rejected[kind].set(name, { version: item.version, errors: [msg], at: this.now() });
        continue;
      }
      const result = decoded.result;
      if (result.warnings.length > 0) this.warnOnce(kind, name, item.version, result.warnings);
      if (!result.valid) {
        errors.push(...result.errors);
        this.rejected[kind].set(name, { version: item.version, errors: result.errors, at: this.now() });
        continue;
      }
      this.rejected[kind].delete(name);
      const prev = table.get(name);
      if (prev && sameBytes(prev.bytes, item.bytes)) {
        prev.version = item.version;
        continue;
      }
      if (prev) previous.set(name, prev);
      changed.add(name);
      table.set(name, { name, version: item.version, value: result.value, bytes: item.bytes, acceptedAt: this.now() });
    }
    if (kind === 'vhost') errors.push(...this.rejectDomainConflicts(changed, previous as Map<string, StoredResource<'vhost'>>));
    if (update.complete) {
      for (const name of [...table.keys()]) if (!seen.has(name)) table.delete(name);
      for (const name of [...this.rejected[kind].keys()]) if (!seen.has(name)) this.rejected[kind].delete(name);
    }
    for (const name of update.removed) {
      table.delete(name);
      this.rejected[kind].delete(name);
    }
    if (errors.length === 0 && update.systemVersion) this.typeVersions[kind] = update.systemVersion;
    return errors;
  }

  /**
   * VHDS hosts of one route configuration may not share a domain with each
   * other or with the configuration's own hosts (Envoy rejects such a table).
   * A host this update changed that clashes with a host it did not change (or
   * with an earlier changed one, by name) is refused alone: it keeps its last
   * good version (`previous`: what the update replaced), and the NACK names
   * both hosts and the domain.
   */
  private rejectDomainConflicts(changed: ReadonlySet<string>, previous: ReadonlyMap<string, StoredResource<'vhost'>>): string[] {
    const errors: string[] = [];
    const table = this.accepted.vhost;
    const owners = new Map<string, Map<string, string>>();
    const ownersOf = (ns: string) => {
      let m = owners.get(ns);
      if (!m) {
        m = new Map();
        for (const vh of this.accepted.route.get(ns)?.value.virtualHosts ?? []) for (const d of vh.domains) m.set(d, `${vh.name} (in route configuration ${ns})`);
        for (const [name, h] of table) if (!changed.has(name) && vhostNamespace(name) === ns) for (const d of h.value.domains) if (!m.has(d)) m.set(d, name);
        owners.set(ns, m);
      }
      return m;
    };
    for (const name of [...changed].sort()) {
      const h = table.get(name);
      const ns = vhostNamespace(name);
      if (!h || ns === undefined) continue;
      const m = ownersOf(ns);
      const clash = h.value.domains.find((d) => m.has(d) && m.get(d) !== name);
      if (clash === undefined) {
        for (const d of h.value.domains) m.set(d, name);
        continue;
      }
      const msg = `domain "${clash}" is also in virtual host ${m.get(clash)}`;
      errors.push(`${RESOURCE_TYPES.vhost.short} ${name}: ${msg}`);
      this.rejected.vhost.set(name, { version: h.version, errors: [msg], at: this.now() });
      const prev = previous.get(name);
      if (prev && !prev.value.domains.some((d) => m.has(d) && m.get(d) !== name)) {
        table.set(name, prev);
        for (const d of prev.value.domains) m.set(d, name);
      } else table.delete(name);
    }
    return errors;
  }

  /** Drops resources of a by-name type that are no longer wanted (VHDS hosts: by their route configuration). */
  retain(kind: ResourceKind, wanted: ReadonlySet<string>): void {
    const keep = kind === 'vhost' ? (name: string) => wanted.has(vhostNamespace(name) ?? '') : (name: string) => wanted.has(name);
    for (const name of [...this.accepted[kind].keys()]) if (!keep(name)) this.accepted[kind].delete(name);
    for (const name of [...this.rejected[kind].keys()]) if (!keep(name)) this.rejected[kind].delete(name);
  }

  /** Route configurations whose hosts come by VHDS (the VirtualHost subscription, as namespaces). */
  wantedVhosts(): Set<string> {
    return vhdsRouteNames(this.accepted.route);
  }

  /** Route configuration names the accepted listeners need (RDS subscription). */
  wantedRoutes(): Set<string> {
    const out = new Set<string>();
    for (const l of this.accepted.listener.values()) for (const r of routeNamesOfListener(l.value)) out.add(r);
    return out;
  }

  /** EDS names the accepted clusters need. */
  wantedEndpoints(): Set<string> {
    const out = new Set<string>();
    for (const c of this.accepted.cluster.values()) if (c.value.discovery === 'EDS') out.add(c.value.edsServiceName);
    return out;
  }

  /**
   * SDS secret names the accepted listeners and clusters use, except those
   * served locally (the workload certificate `default` and `ROOTCA`, like
   * istio-agent's SDS: never fetched from Pilot).
   */
  wantedSecrets(local: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    const add = (names: readonly string[] | undefined) => {
      for (const n of names ?? []) if (!local.has(n)) out.add(n);
    };
    for (const l of this.accepted.listener.values()) {
      for (const c of l.value.filterChains) add(c.tls?.common.secretNames);
      add(l.value.defaultFilterChain?.tls?.common.secretNames);
    }
    for (const c of this.accepted.cluster.values()) {
      add(c.value.tls?.common.secretNames);
      for (const m of c.value.transportSocketMatches ?? []) add(m.tls?.common.secretNames);
    }
    return out;
  }

  /**
   * Recomputes the active set; returns the new snapshot when anything visible
   * changed, else undefined.
   */
  reassemble(): ConfigSnapshot | undefined {
    const { active, result } = assembleSnapshot(this.accepted, this.active, this.now(), this.warmTimeoutMs, this.snapshot.version + 1);
    this.active = active;
    this.warming = result.warming;
    const next = result.snapshot;
    const cur = this.snapshot;
    const same = <V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    if (
      same(next.listeners, cur.listeners) &&
      same(next.routes, cur.routes) &&
      same(next.clusters, cur.clusters) &&
      same(next.endpoints, cur.endpoints) &&
      same(next.secrets, cur.secrets)
    ) {
      return undefined;
    }
    this.snapshot = next;
    return next;
  }

  /** Earliest time a warming resource goes in regardless. */
  nextWarmDeadline(): number | undefined {
    return this.warming.length === 0 ? undefined : Math.min(...this.warming.map((w) => w.until));
  }

  private warnOnce(kind: ResourceKind, name: string, version: string, warnings: string[]): void {
    const key = `${kind}/${name}/${version}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (this.warned.size > 10_000) this.warned.clear();
    this.log.warn({ type: RESOURCE_TYPES[kind].short, resource: name, version, warnings }, 'resource accepted with parts ignored');
  }
}
