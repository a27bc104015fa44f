// The per-push snapshot of the world (Istio's PushContext): services and
// endpoints from the registries, Istio config indexed for the lookups
// translation makes. Immutable once built; build a new one per push.
import type {
  AuthorizationPolicy,
  DestinationRule,
  Gateway,
  IstioResource,
  PeerAuthentication,
  RequestAuthentication,
  ServiceEntry,
  Sidecar,
  VirtualService,
  WorkloadEntry,
} from '@sextant/config-model';
import { sortConfigs } from './config-order';
import { DestinationRuleIndex, type MergedDestinationRule } from './destination-rule-index';
import { ModelError } from './errors';
import type { Labels } from './labels';
import { meshConfig, type MeshConfig } from './mesh-config';
import { selectGateways, selectPolicies, selectSidecar, type SecurityPolicies } from './policy-index';
import type { ProxyInfo } from './proxy';
import { compareEndpoints, compareServices, spiffeId, type Service, type ServiceEndpoint } from './service';
import { buildSidecarScope, dedupeServices, type SidecarScope } from './sidecar-scope';
import { VirtualServiceIndex } from './virtual-service-index';

export interface PushContextInput {
  services: readonly Service[];
  endpoints: readonly ServiceEndpoint[];
  /** Validated Istio resources of every kind (internal form, see @sextant/config-model normalizeResource). */
  configs: readonly IstioResource[];
  mesh?: Partial<MeshConfig>;
  /** Version label of this push (default: a counter). */
  version?: string;
}

interface ConfigsByKind {
  VirtualService: VirtualService[];
  DestinationRule: DestinationRule[];
  Gateway: Gateway[];
  ServiceEntry: ServiceEntry[];
  Sidecar: Sidecar[];
  WorkloadEntry: WorkloadEntry[];
  PeerAuthentication: PeerAuthentication[];
  AuthorizationPolicy: AuthorizationPolicy[];
  RequestAuthentication: RequestAuthentication[];
}

function groupConfigs(configs: readonly IstioResource[]): ConfigsByKind {
  const out: ConfigsByKind = {
    VirtualService: [],
    DestinationRule: [],
    Gateway: [],
    ServiceEntry: [],
    Sidecar: [],
    WorkloadEntry: [],
    PeerAuthentication: [],
    AuthorizationPolicy: [],
    RequestAuthentication: [],
  };
  for (const c of configs) (out[c.kind] as IstioResource[] | undefined)?.push(c);
  return out;
}

let versionCounter = 0;

export class PushContext {
  readonly mesh: MeshConfig;
  readonly version: string;
  readonly virtualServiceIndex: VirtualServiceIndex;
  readonly destinationRuleIndex: DestinationRuleIndex;
  private readonly allServices: readonly Service[];
  private readonly servicesByHost = new Map<string, Service[]>();
  /** `hostname|namespace|port` -> endpoints. */
  private readonly endpointsByKey = new Map<string, ServiceEndpoint[]>();
  private readonly endpointsByAddress = new Map<string, ServiceEndpoint[]>();
  private readonly endpointsByWorkload = new Map<string, ServiceEndpoint[]>();
  private readonly configs: ConfigsByKind;
  private readonly scopes = new Map<string, SidecarScope>();

  private constructor(input: PushContextInput) {
    this.mesh = meshConfig(input.mesh);
    this.version = input.version ?? `${Date.now().toString(36)}-${++versionCounter}`;
    this.configs = groupConfigs(input.configs);
    for (const k of Object.keys(this.configs) as (keyof ConfigsByKind)[]) {
      (this.configs as unknown as Record<string, IstioResource[]>)[k] = sortConfigs(this.configs[k] as IstioResource[]);
    }
    for (const s of input.services) {
      if (!s.hostname) throw new ModelError('MODEL_INPUT_INVALID', `a service in namespace ${s.namespace} has no hostname`);
    }
    this.allServices = [...input.services].sort(compareServices);
    for (const s of this.allServices) {
      const list = this.servicesByHost.get(s.hostname) ?? [];
      list.push(s);
      this.servicesByHost.set(s.hostname, list);
    }
    for (const e of input.endpoints) {
      const key = `${e.hostname}|${e.namespace}|${e.servicePort}`;
      const list = this.endpointsByKey.get(key) ?? [];
      list.push(e);
      this.endpointsByKey.set(key, list);
      const byAddr = this.endpointsByAddress.get(e.address) ?? [];
      byAddr.push(e);
      this.endpointsByAddress.set(e.address, byAddr);
      if (e.workload) {
        const wk = `${e.workloadNamespace ?? e.namespace}/${e.workload}`;
        this.endpointsByWorkload.set(wk, [...(this.endpointsByWorkload.get(wk) ?? []), e]);
      }
    }
    for (const list of this.endpointsByKey.values()) list.sort(compareEndpoints);
    this.virtualServiceIndex = new VirtualServiceIndex(this.configs.VirtualService, this.mesh.domainSuffix);
    this.destinationRuleIndex = new DestinationRuleIndex(this.configs.DestinationRule, this.mesh.domainSuffix, this.mesh.rootNamespace);
  }

  static build(input: PushContextInput): PushContext {
    return new PushContext(input);
  }

  /** Every service of every registry, sorted by hostname then namespace. */
  services(): readonly Service[] {
    return this.allServices;
  }

  /** Services visible to a namespace, one per hostname (gateways see these). */
  servicesVisibleTo(namespace: string): Service[] {
    return dedupeServices(
      this.allServices.filter((s) => s.exportTo.length === 0 || s.exportTo.some((e) => e === '*' || e === namespace || (e === '.' && s.namespace === namespace))),
      namespace,
    );
  }

  /** The service with `hostname`; with several (ServiceEntries in different namespaces), the one in `namespace`, else the oldest. */
  service(hostname: string, namespace?: string): Service | undefined {
    const list = this.servicesByHost.get(hostname);
    if (!list) return undefined;
    return (namespace !== undefined ? list.find((s) => s.namespace === namespace) : undefined) ?? dedupeServices(list, namespace ?? '')[0];
  }

  /** Endpoints of one service port, sorted by address and port. */
  endpoints(service: Pick<Service, 'hostname' | 'namespace'>, port: number): readonly ServiceEndpoint[] {
    return this.endpointsByKey.get(`${service.hostname}|${service.namespace}|${port}`) ?? [];
  }

  /** Service accounts behind a service port as SPIFFE ids, sorted (for upstream SAN checks). */
  serviceAccounts(service: Pick<Service, 'hostname' | 'namespace'>, port: number): string[] {
    const ids = new Set<string>();
    for (const e of this.endpoints(service, port)) {
      if (e.serviceAccount) ids.add(spiffeId(this.mesh.trustDomain, e.workloadNamespace ?? e.namespace, e.serviceAccount));
    }
    return [...ids].sort();
  }

  /** The endpoints a proxy's own workload serves (Istio: proxy service targets), matched by IP. */
  proxyEndpoints(proxy: ProxyInfo): ServiceEndpoint[] {
    const out: ServiceEndpoint[] = [];
    for (const ip of proxy.ipAddresses) {
      for (const e of this.endpointsByAddress.get(ip) ?? []) {
        if ((e.workloadNamespace ?? e.namespace) === proxy.namespace || e.namespace === proxy.namespace) out.push(e);
      }
    }
    if (out.length === 0 && proxy.workloadName) out.push(...(this.endpointsByWorkload.get(`${proxy.namespace}/${proxy.workloadName}`) ?? []));
    return out.sort((a, b) => a.servicePort - b.servicePort || compareEndpoints(a, b));
  }

  /** The labels that matter for a proxy: its own, else those of the endpoints it serves. */
  proxyLabels(proxy: ProxyInfo): Labels {
    if (Object.keys(proxy.labels).length > 0) return proxy.labels;
    return this.proxyEndpoints(proxy)[0]?.labels ?? {};
  }

  /** The DestinationRule for a host as a client in `proxy`'s namespace sees it. */
  destinationRule(proxy: Pick<ProxyInfo, 'namespace' | 'labels'>, service: Pick<Service, 'hostname' | 'namespace'>): MergedDestinationRule | undefined {
    return this.destinationRuleIndex.lookup(service.hostname, proxy.namespace, service.namespace, proxy.labels);
  }

  /** The Sidecar resource that applies to a proxy, if any. */
  sidecarFor(proxy: Pick<ProxyInfo, 'namespace' | 'labels'>): Sidecar | undefined {
    return selectSidecar(this.configs.Sidecar, proxy.namespace, proxy.labels, this.mesh.rootNamespace);
  }

  /** The proxy's SidecarScope (shared by every proxy with the same namespace and Sidecar). */
  sidecarScope(proxy: Pick<ProxyInfo, 'namespace' | 'labels'>): SidecarScope {
    const sidecar = this.sidecarFor(proxy);
    const key = `${proxy.namespace}|${sidecar ? `${sidecar.metadata.namespace}/${sidecar.metadata.name}` : '-'}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = buildSidecarScope(proxy.namespace, sidecar, this.allServices, this.virtualServiceIndex, this.mesh);
      this.scopes.set(key, scope);
    }
    return scope;
  }

  /** Gateways whose selector matches a router's labels. */
  gatewaysFor(proxy: Pick<ProxyInfo, 'labels'>): Gateway[] {
    return selectGateways(this.configs.Gateway, proxy.labels);
  }

  /** Security policies that apply to a proxy's workload (for the security filter seam). */
  securityPolicies(proxy: Pick<ProxyInfo, 'namespace' | 'labels'>): SecurityPolicies {
    const root = this.mesh.rootNamespace;
    return {
      peerAuthentications: selectPolicies(this.configs.PeerAuthentication, proxy.namespace, proxy.labels, root),
      authorizationPolicies: selectPolicies(this.configs.AuthorizationPolicy, proxy.namespace, proxy.labels, root),
      requestAuthentications: selectPolicies(this.configs.RequestAuthentication, proxy.namespace, proxy.labels, root),
    };
  }

  gateways(): readonly Gateway[] {
    return this.configs.Gateway;
  }
  serviceEntries(): readonly ServiceEntry[] {
    return this.configs.ServiceEntry;
  }
  workloadEntries(): readonly WorkloadEntry[] {
    return this.configs.WorkloadEntry;
  }
  sidecars(): readonly Sidecar[] {
    return this.configs.Sidecar;
  }
  virtualServices(): readonly VirtualService[] {
    return this.configs.VirtualService;
  }
  destinationRules(): readonly DestinationRule[] {
    return this.configs.DestinationRule;
  }
}
