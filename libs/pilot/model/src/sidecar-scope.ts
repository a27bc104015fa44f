// What a sidecar sees (Istio's SidecarScope): the services and
// VirtualServices its Sidecar resource's egress hosts admit (everything
// exported to its namespace when there is no Sidecar), and its outbound
// traffic policy.
import type { Sidecar } from '@sextant/config-model';
import { hostMatches, hostsIntersect, isVisibleTo } from './hosts';
import type { MeshConfig } from './mesh-config';
import { compareServices, type Service } from './service';
import { MESH_GATEWAY, type IndexedVirtualService, type VirtualServiceIndex } from './virtual-service-index';

export interface EgressHost {
  /** `*`, a namespace name; `.` is already replaced by the proxy's namespace; `~` matches none. */
  namespace: string;
  /** `*`, `*.suffix` or a host name. */
  host: string;
}

export interface SidecarScope {
  /** Stable identity: proxies with the same key get the same scope. */
  readonly key: string;
  readonly namespace: string;
  /** The Sidecar resource in effect (`namespace/name`), if any. */
  readonly sidecarRef?: string;
  readonly sidecar?: Sidecar;
  /** Services the proxy may reach, one per hostname, sorted by hostname. */
  readonly services: readonly Service[];
  /** VirtualServices bound to `mesh` the proxy sees, oldest first. */
  readonly virtualServices: readonly IndexedVirtualService[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Egress hosts of the Sidecar (undefined without one: every host). */
  readonly egressHosts?: readonly EgressHost[];
  service(hostname: string): Service | undefined;
}

/** Parses Sidecar egress hosts (`ns/host`, `./host`, `~/host`, any-namespace `*` form; a bare host means any namespace). */
export function parseEgressHosts(sidecar: Sidecar, proxyNamespace: string): EgressHost[] {
  const out: EgressHost[] = [];
  for (const listener of sidecar.spec.egress ?? []) {
    for (const h of listener.hosts ?? []) {
      const slash = h.indexOf('/');
      const ns = slash >= 0 ? h.slice(0, slash) : '*';
      const host = slash >= 0 ? h.slice(slash + 1) : h;
      out.push({ namespace: ns === '.' ? proxyNamespace : ns, host });
    }
  }
  return out;
}

function egressAdmits(egress: readonly EgressHost[], namespace: string, hostname: string): boolean {
  return egress.some((e) => e.namespace !== '~' && (e.namespace === '*' || e.namespace === namespace) && hostMatches(hostname, e.host));
}

function egressAdmitsVs(egress: readonly EgressHost[], vs: IndexedVirtualService): boolean {
  return egress.some((e) => e.namespace !== '~' && (e.namespace === '*' || e.namespace === vs.namespace) && vs.hosts.some((h) => hostsIntersect(h, e.host)));
}

/** Picks one service per hostname: the one in the proxy's namespace, else the oldest. */
export function dedupeServices(services: readonly Service[], proxyNamespace: string): Service[] {
  const byHost = new Map<string, Service>();
  for (const s of services) {
    const prev = byHost.get(s.hostname);
    if (!prev) {
      byHost.set(s.hostname, s);
      continue;
    }
    if (prev.namespace === proxyNamespace) continue;
    if (s.namespace === proxyNamespace || (s.createdAt ?? 0) < (prev.createdAt ?? 0)) byHost.set(s.hostname, s);
  }
  return [...byHost.values()].sort(compareServices);
}

export function buildSidecarScope(
  proxyNamespace: string,
  sidecar: Sidecar | undefined,
  services: readonly Service[],
  virtualServices: VirtualServiceIndex,
  mesh: MeshConfig,
): SidecarScope {
  const egress = sidecar ? parseEgressHosts(sidecar, proxyNamespace) : undefined;
  const visible = services.filter(
    (s) => isVisibleTo(s.exportTo, s.namespace, proxyNamespace) && (!egress || egressAdmits(egress, s.namespace, s.hostname)),
  );
  const scoped = dedupeServices(visible, proxyNamespace);
  const byHost = new Map(scoped.map((s) => [s.hostname, s]));
  const vss = virtualServices.forGateway(MESH_GATEWAY, proxyNamespace).filter((v) => !egress || egressAdmitsVs(egress, v));
  const sidecarRef = sidecar ? `${sidecar.metadata.namespace}/${sidecar.metadata.name}` : undefined;
  return {
    key: `${proxyNamespace}|${sidecarRef ?? '-'}`,
    namespace: proxyNamespace,
    ...(sidecarRef ? { sidecarRef, sidecar } : {}),
    services: scoped,
    virtualServices: vss,
    outboundTrafficPolicy: sidecar?.spec.outboundTrafficPolicy?.mode ?? mesh.outboundTrafficPolicy,
    ...(egress ? { egressHosts: egress } : {}),
    service: (hostname: string) => byHost.get(hostname),
  };
}
