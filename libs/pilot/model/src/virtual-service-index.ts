// VirtualServices indexed by the gateway they bind to (`mesh` for sidecars,
// `namespace/name` for Gateways), with hosts and gateway names resolved the
// way Istio resolves them; delegates (no hosts) indexed by namespace/name.
import { resolveHost, type VirtualService } from '@sextant/config-model';
import { hostsIntersect, isVisibleTo } from './hosts';
import { sortConfigs } from './config-order';

export const MESH_GATEWAY = 'mesh';

export interface IndexedVirtualService {
  readonly resource: VirtualService;
  /** `namespace/name`. */
  readonly ref: string;
  readonly namespace: string;
  /** spec.hosts, short names expanded relative to the VS namespace. */
  readonly hosts: readonly string[];
  /** spec.gateways resolved: `mesh` or `namespace/name`; `[mesh]` when empty. */
  readonly gateways: readonly string[];
  readonly exportTo: readonly string[];
}

/** Resolves a gateway reference written in a VirtualService (or a match) in namespace `ns`. */
export function resolveGatewayName(name: string, ns: string): string {
  if (name === MESH_GATEWAY) return name;
  if (name.includes('/')) return name;
  // Istio also accepts `name.namespace.svc.cluster.local`.
  const dot = name.indexOf('.');
  if (dot > 0) return `${name.slice(dot + 1).split('.')[0]}/${name.slice(0, dot)}`;
  return `${ns}/${name}`;
}

export class VirtualServiceIndex {
  private readonly roots: IndexedVirtualService[] = [];
  private readonly delegates = new Map<string, IndexedVirtualService>();
  private readonly byGateway = new Map<string, IndexedVirtualService[]>();
  /** Label keys that any match's sourceLabels mentions. */
  readonly sourceLabelKeys = new Set<string>();

  constructor(list: readonly VirtualService[], domainSuffix: string) {
    for (const vs of sortConfigs(list)) {
      const ns = vs.metadata.namespace ?? 'default';
      const spec = vs.spec ?? {};
      const hosts = (spec.hosts ?? []).map((h) => resolveHost(h, ns, domainSuffix));
      const gateways = (spec.gateways && spec.gateways.length > 0 ? spec.gateways : [MESH_GATEWAY]).map((g) => resolveGatewayName(g, ns));
      const entry: IndexedVirtualService = { resource: vs, ref: `${ns}/${vs.metadata.name}`, namespace: ns, hosts, gateways, exportTo: spec.exportTo ?? ['*'] };
      for (const r of spec.http ?? []) for (const m of r.match ?? []) for (const k of Object.keys(m.sourceLabels ?? {})) this.sourceLabelKeys.add(k);
      for (const r of spec.tcp ?? []) for (const m of r.match ?? []) for (const k of Object.keys(m.sourceLabels ?? {})) this.sourceLabelKeys.add(k);
      for (const r of spec.tls ?? []) for (const m of r.match ?? []) for (const k of Object.keys(m.sourceLabels ?? {})) this.sourceLabelKeys.add(k);
      if (hosts.length === 0) {
        this.delegates.set(entry.ref, entry);
        continue;
      }
      this.roots.push(entry);
      for (const g of new Set(gateways)) {
        const list = this.byGateway.get(g) ?? [];
        list.push(entry);
        this.byGateway.set(g, list);
      }
    }
  }

  /** Root VirtualServices bound to `gateway` and visible to `namespace`, oldest first. */
  forGateway(gateway: string, namespace: string): IndexedVirtualService[] {
    return (this.byGateway.get(gateway) ?? []).filter((v) => isVisibleTo(v.exportTo, v.namespace, namespace));
  }

  /** Root VirtualServices whose hosts match `hostname` (either may be a wildcard), bound to `gateway`, visible to `namespace`. */
  forHost(hostname: string, gateway: string, namespace: string): IndexedVirtualService[] {
    return this.forGateway(gateway, namespace).filter((v) => v.hosts.some((h) => hostsIntersect(h, hostname)));
  }

  /** A delegate VirtualService by `namespace/name`, if visible to `namespace`. */
  delegate(ref: string, viewerNamespace?: string): IndexedVirtualService | undefined {
    const d = this.delegates.get(ref);
    if (!d) return undefined;
    if (viewerNamespace !== undefined && !isVisibleTo(d.exportTo, d.namespace, viewerNamespace)) return undefined;
    return d;
  }

  all(): readonly IndexedVirtualService[] {
    return this.roots;
  }

  allDelegates(): IndexedVirtualService[] {
    return [...this.delegates.values()];
  }
}
