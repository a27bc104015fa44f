// What every builder reads for one proxy: the push, the proxy, the services
// it may reach, options, hooks, and what has been emitted so far (secret
// names, warnings).
import {
  isHttpProtocol,
  type Labels,
  type MergedDestinationRule,
  type ProxyInfo,
  type PushContext,
  type Service,
  type SidecarScope,
} from '@sextant/pilot-model';
import type { VirtualHostCache } from './host-cache';
import { OutboundClusterNames } from './cluster-names';
import { NO_HOOKS, type TranslateHooks } from './hooks';

export interface TranslateOptions {
  /** Where proxies fetch SDS secrets: over ADS from Pilot (default), or an SDS cluster of the bootstrap (Istio: sds-grpc). */
  sdsSource?: 'ads' | { clusterName: string };
  /** Security filters and inbound transport (see hooks.ts). */
  hooks?: TranslateHooks;
  /** Add Istio's explicit HTTP-proxy listener on 127.0.0.1:<port> (also read from proxy metadata HTTP_PROXY_PORT). */
  httpProxyPort?: number;
  /** Reuse virtual hosts built for other cache keys and earlier pushes (same output, built once; see host-cache.ts). */
  cache?: VirtualHostCache;
}

export interface TranslateContext {
  readonly push: PushContext;
  readonly proxy: ProxyInfo;
  /** The proxy's labels (its own, else those of the endpoints it serves). */
  readonly labels: Labels;
  readonly scope: SidecarScope | undefined;
  /** Services this proxy may reach, one per hostname, sorted. */
  readonly services: readonly Service[];
  readonly hooks: TranslateHooks;
  readonly options: TranslateOptions;
  service(hostname: string): Service | undefined;
  destinationRule(service: Service): MergedDestinationRule | undefined;
  /** Outbound cluster names this proxy gets (routes must name only these). */
  readonly outboundClusters: ReadonlySet<string>;
  readonly secrets: Set<string>;
  readonly warnings: string[];
  warn(message: string): void;
}

export function createContext(push: PushContext, proxy: ProxyInfo, options: TranslateOptions = {}): TranslateContext {
  const labels = push.proxyLabels(proxy);
  const proxyWithLabels = { ...proxy, labels };
  const scope = proxy.type === 'sidecar' ? push.sidecarScope(proxyWithLabels) : undefined;
  const services = scope ? scope.services : push.servicesVisibleTo(proxy.namespace);
  const byHost = new Map(services.map((s) => [s.hostname, s]));
  const drCache = new Map<Service, MergedDestinationRule | undefined>();
  const destinationRule = (s: Service) => {
    let dr = drCache.get(s);
    if (dr === undefined && !drCache.has(s)) drCache.set(s, (dr = push.destinationRule(proxyWithLabels, s)));
    return dr;
  };
  const outboundClusters = new OutboundClusterNames(services, byHost, destinationRule, (s) => proxy.proxyless && s.resolution === 'NONE');
  const warnings: string[] = [];
  return {
    push,
    proxy: proxyWithLabels,
    labels,
    scope,
    services,
    hooks: options.hooks ?? NO_HOOKS,
    options,
    service: (h) => byHost.get(h),
    destinationRule,
    outboundClusters,
    secrets: new Set(),
    warnings,
    warn: (m) => {
      if (!warnings.includes(m)) warnings.push(m);
    },
  };
}

/** HTTP ports of visible services, by port number. */
export function httpPortsOf(services: readonly Service[]): Map<number, Service[]> {
  const out = new Map<number, Service[]>();
  for (const s of services) {
    for (const p of s.ports) {
      if (!isHttpProtocol(p.protocol)) continue;
      const list = out.get(p.port);
      if (list) list.push(s);
      else out.set(p.port, [s]);
    }
  }
  return out;
}

/** Whether an outbound cluster for this service uses EDS (and so has a ClusterLoadAssignment resource). */
export function usesEds(service: Service): boolean {
  return service.resolution === 'STATIC';
}
