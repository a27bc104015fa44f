// The service registry as analysis sees it: the registry's services and
// workload instances, plus what ServiceEntries and WorkloadEntries add. Host
// lookups follow Istio: exact hosts first, then wildcard ServiceEntry hosts,
// each visible only to the namespaces it is exported to.
import { hostIsSubsetOf, hostsOverlap, resolveHost, type ServiceEntry, type WorkloadEntry } from '@sextant/config-model';
import type { LocatedResource, PortInfo, ServiceInfo, WorkloadInfo } from './input';

/** Does `selector` select `labels`? (Every selector label present with the same value; an empty selector selects everything.) */
export function selects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels[k] !== v) return false;
  return true;
}

/** `app=reviews,version=v1` (keys sorted), as Kubernetes prints selectors. */
export function selectorString(selector: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(selector ?? {})
    .sort()
    .map((k) => `${k}=${selector![k]}`)
    .join(',');
}

export type HostSource = { type: 'service'; service: ServiceInfo } | { type: 'serviceentry'; entry: LocatedResource<ServiceEntry> };

export interface HostEntry {
  /** FQDN, or `*.suffix` for a wildcard ServiceEntry host. */
  host: string;
  /** Namespace of the service or ServiceEntry. */
  namespace: string;
  ports: PortInfo[];
  source: HostSource;
}

/** Namespaces a resource is exported to: '*' for all, else a set ('.' already replaced by the owner's namespace). */
export function exportScope(exportTo: readonly string[] | undefined, owner: string): '*' | Set<string> {
  if (!exportTo || exportTo.length === 0 || exportTo.includes('*')) return '*';
  return new Set(exportTo.map((e) => (e === '.' ? owner : e)));
}

export function visibleTo(scope: '*' | Set<string>, namespace: string): boolean {
  return scope === '*' || scope.has(namespace);
}

export interface RegistryIndexOptions {
  services?: readonly ServiceInfo[];
  workloads?: readonly WorkloadInfo[];
  serviceEntries: readonly LocatedResource<ServiceEntry>[];
  workloadEntries: readonly LocatedResource<WorkloadEntry>[];
  domainSuffix: string;
}

export class RegistryIndex {
  readonly servicesKnown: boolean;
  readonly workloadsKnown: boolean;
  private readonly entries: { entry: HostEntry; scope: '*' | Set<string> }[] = [];
  private readonly byHost = new Map<string, { entry: HostEntry; scope: '*' | Set<string> }[]>();
  private readonly allWorkloads: WorkloadInfo[];

  constructor(private readonly opts: RegistryIndexOptions) {
    this.servicesKnown = opts.services !== undefined;
    this.workloadsKnown = opts.workloads !== undefined;
    this.allWorkloads = [...(opts.workloads ?? []), ...opts.workloadEntries.map(workloadEntryInfo)];
    for (const service of opts.services ?? []) {
      const host = service.hostname ?? `${service.name}.${service.namespace}.svc.${opts.domainSuffix}`;
      this.add({ host, namespace: service.namespace, ports: service.ports, source: { type: 'service', service } }, exportScope(service.exportTo, service.namespace));
    }
    for (const located of opts.serviceEntries) {
      const se = located.resource;
      const ns = se.metadata.namespace ?? '';
      const ports = (se.spec.ports ?? []).map((p) => ({ port: p.number, name: p.name, ...(p.protocol ? { protocol: p.protocol } : {}) }));
      for (const h of se.spec.hosts ?? []) {
        this.add({ host: resolveHost(h, ns, opts.domainSuffix), namespace: ns, ports, source: { type: 'serviceentry', entry: located } }, exportScope(se.spec.exportTo, ns));
      }
    }
  }

  private add(entry: HostEntry, scope: '*' | Set<string>): void {
    const item = { entry, scope };
    this.entries.push(item);
    const list = this.byHost.get(entry.host) ?? [];
    list.push(item);
    this.byHost.set(entry.host, list);
  }

  /** Every known host (services and ServiceEntry hosts). */
  hosts(): HostEntry[] {
    return this.entries.map((e) => e.entry);
  }

  /**
   * The service a destination host (already fully qualified) reaches from
   * `fromNamespace`: an exact host first (services before ServiceEntries),
   * then a wildcard ServiceEntry host that covers it.
   */
  lookup(host: string, fromNamespace: string): HostEntry | undefined {
    const exact = (this.byHost.get(host) ?? []).filter((e) => visibleTo(e.scope, fromNamespace));
    const best = exact.find((e) => e.entry.source.type === 'service') ?? exact[0];
    if (best) return best.entry;
    if (host.startsWith('*')) return undefined;
    return this.entries.find((e) => e.entry.host.startsWith('*') && visibleTo(e.scope, fromNamespace) && hostIsSubsetOf(host, e.entry.host))?.entry;
  }

  /** Hosts a (possibly wildcard) host pattern applies to, in any namespace (DestinationRule and Sidecar hosts). */
  matching(pattern: string): HostEntry[] {
    if (pattern === '*') return this.hosts();
    if (!pattern.startsWith('*')) {
      const found = this.lookupAnywhere(pattern);
      return found ? [found] : [];
    }
    return this.entries.filter((e) => hostsOverlap(pattern, e.entry.host)).map((e) => e.entry);
  }

  private lookupAnywhere(host: string): HostEntry | undefined {
    const exact = this.byHost.get(host) ?? [];
    if (exact.length) return (exact.find((e) => e.entry.source.type === 'service') ?? exact[0])!.entry;
    return this.entries.find((e) => e.entry.host.startsWith('*') && hostIsSubsetOf(host, e.entry.host))?.entry;
  }

  /** Workload instances (registry workloads and WorkloadEntries), optionally of one namespace. */
  workloads(namespace?: string): WorkloadInfo[] {
    return namespace === undefined ? this.allWorkloads : this.allWorkloads.filter((w) => w.namespace === namespace);
  }

  /** Workloads a selector selects, in one namespace or (undefined) in all. */
  selected(selector: Readonly<Record<string, string>> | undefined, namespace?: string): WorkloadInfo[] {
    return this.workloads(namespace).filter((w) => selects(selector, w.labels));
  }

  /**
   * The instances behind a host; undefined when they cannot be known (a
   * ServiceEntry with resolution NONE and no endpoints, or registry
   * workloads unknown).
   */
  instancesOf(entry: HostEntry): WorkloadInfo[] | undefined {
    const source = entry.source;
    if (source.type === 'service') {
      if (!this.workloadsKnown) return undefined;
      const s = source.service;
      if (s.selector) return this.selected(s.selector, s.namespace);
      return this.workloads(s.namespace).filter((w) => w.service === s.name);
    }
    const se = source.entry.resource;
    const ns = se.metadata.namespace ?? '';
    const inline = (se.spec.endpoints ?? []).map((ep, i) => ({ name: `${se.metadata.name}-endpoint-${i}`, namespace: ns, labels: ep.labels ?? {} }));
    const selector = se.spec.workloadSelector?.labels;
    if (selector) {
      if (!this.workloadsKnown && this.opts.workloadEntries.length === 0) return undefined;
      return [...inline, ...this.selected(selector, ns)];
    }
    if (inline.length) return inline;
    const resolution = se.spec.resolution ?? 'NONE';
    if (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') return [{ name: entry.host, namespace: ns, labels: {} }];
    return undefined;
  }
}

function workloadEntryInfo(located: LocatedResource<WorkloadEntry>): WorkloadInfo {
  const we = located.resource;
  const ports = Object.entries(we.spec.ports ?? {}).map(([name, port]) => ({ name, port }));
  return {
    name: we.metadata.name,
    namespace: we.metadata.namespace ?? '',
    labels: we.spec.labels ?? {},
    ...(ports.length ? { ports } : {}),
    ...(we.spec.serviceAccount ? { serviceAccount: we.spec.serviceAccount } : {}),
  };
}
