// The entry point (Istio's configgen): everything one proxy gets, by proxy
// kind: sidecars (outbound + inbound), routers (Gateways), proxyless gRPC.
// Output lists are sorted by name; a route or listener never names a
// cluster that is not in the output.
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import { buildInboundClusters, buildOutboundClusters, buildSpecialClusters } from './cluster-builder';
import { danglingClusterReferences, sdsSecretNames, uniqueByName, uniqueChainMatches } from './consistency';
import { createContext, httpPortsOf, type TranslateContext, type TranslateOptions } from './context';
import { buildEndpoints } from './endpoint-builder';
import type { ClusterLoadAssignmentObject, ClusterObject, ProxyConfig } from './envoy-types';
import { buildGatewayConfig } from './gateway-builder';
import { buildBoundInboundListeners, buildVirtualInbound } from './inbound-builder';
import { buildHttpProxyListener, buildOutboundListeners, buildVirtualOutbound, httpProxyPort } from './listener-builder';
import { ADS_CONFIG_SOURCE } from './cluster-builder';
import { BLACKHOLE_CLUSTER } from './names';
import { buildProxylessListeners, buildProxylessRoutes } from './proxyless-builder';
import { sortBy } from './values';
import { buildHttpProxyRouteConfig, buildSidecarRouteConfig } from './virtual-host-builder';

/** The resource kinds of a ProxyConfig (a subset may be asked for). */
export type ResourceKind = 'listeners' | 'routes' | 'clusters' | 'endpoints';
const ALL_KINDS: ReadonlySet<ResourceKind> = new Set(['listeners', 'routes', 'clusters', 'endpoints']);

type Parts = Pick<ProxyConfig, 'listeners' | 'routes' | 'clusters'>;

function sidecar(ctx: TranslateContext, want: ReadonlySet<ResourceKind>): Parts {
  const out: Parts = { listeners: [], routes: [], clusters: [] };
  const ports = [...httpPortsOf(ctx.services).keys()].sort((a, b) => a - b);
  const proxyPort = httpProxyPort(ctx);
  if (want.has('listeners')) {
    out.listeners.push(buildVirtualOutbound(ctx), buildVirtualInbound(ctx), ...buildBoundInboundListeners(ctx), ...buildOutboundListeners(ctx));
    if (proxyPort) out.listeners.push(buildHttpProxyListener(ctx, proxyPort));
  }
  if (want.has('routes')) {
    out.routes.push(...ports.map((p) => buildSidecarRouteConfig(ctx, p)));
    if (proxyPort) out.routes.push(buildHttpProxyRouteConfig(ctx, ports));
  }
  if (want.has('clusters')) out.clusters.push(...buildOutboundClusters(ctx), ...buildInboundClusters(ctx), ...buildSpecialClusters(ctx));
  return out;
}

function router(ctx: TranslateContext, want: ReadonlySet<ResourceKind>): Parts {
  const gw = want.has('listeners') || want.has('routes') ? buildGatewayConfig(ctx) : { listeners: [], routes: [] };
  return { listeners: gw.listeners, routes: gw.routes, clusters: want.has('clusters') ? [...buildOutboundClusters(ctx), ...buildSpecialClusters(ctx)] : [] };
}

function proxyless(ctx: TranslateContext, want: ReadonlySet<ResourceKind>): Parts {
  // gRPC has no STATIC clusters: its black hole is an EDS cluster with no endpoints.
  const blackhole: ClusterObject = { name: BLACKHOLE_CLUSTER, type: 'EDS', edsClusterConfig: { edsConfig: ADS_CONFIG_SOURCE, serviceName: BLACKHOLE_CLUSTER }, lbPolicy: 'ROUND_ROBIN', connectTimeout: { seconds: '1', nanos: 0 } };
  return {
    listeners: want.has('listeners') ? buildProxylessListeners(ctx) : [],
    routes: want.has('routes') ? buildProxylessRoutes(ctx) : [],
    clusters: want.has('clusters') ? [...buildOutboundClusters(ctx), blackhole] : [],
  };
}

/**
 * Everything `proxy` gets from `push` (or only the kinds in `only`: e.g.
 * endpoints alone for an EDS push). Never throws for bad user config (see
 * warnings). Lists are sorted by name.
 */
export function generateProxyConfig(push: PushContext, proxy: ProxyInfo, options: TranslateOptions = {}, only: ReadonlySet<ResourceKind> = ALL_KINDS): ProxyConfig {
  const ctx = createContext(push, proxy, options);
  const parts = proxy.proxyless ? proxyless(ctx, only) : proxy.type === 'router' ? router(ctx, only) : sidecar(ctx, only);
  if (!proxy.proxyless && only.has('clusters') && ctx.hooks.clusters) {
    parts.clusters.push(...ctx.hooks.clusters({ push: ctx.push, proxy: ctx.proxy, outboundClusters: ctx.outboundClusters, warn: ctx.warn }));
  }
  // Secrets named by hook-built transport sockets (builders record their own).
  for (const name of sdsSecretNames(parts.listeners, parts.clusters)) ctx.secrets.add(name);
  const endpoints = only.has('endpoints') ? buildEndpoints(ctx) : [];
  if (proxy.proxyless && only.has('endpoints')) endpoints.push({ clusterName: BLACKHOLE_CLUSTER, endpoints: [] });
  const listeners = uniqueByName(parts.listeners, ctx.warn, 'listener').map((l) => uniqueChainMatches(l, ctx.warn));
  const config: ProxyConfig = {
    listeners: sortBy(listeners, (l) => l.name),
    routes: sortBy(uniqueByName(parts.routes, ctx.warn, 'route configuration'), (r) => r.name),
    clusters: sortBy(uniqueByName(parts.clusters, ctx.warn, 'cluster'), (c) => c.name),
    endpoints: sortBy(endpoints, (e) => e.clusterName),
    secrets: [...ctx.secrets].sort(),
    warnings: ctx.warnings,
  };
  if (only.has('clusters')) for (const missing of danglingClusterReferences(config)) ctx.warn(`internal: ${missing} is referenced but not generated`);
  return config;
}

/**
 * Istio's incremental EDS: the ClusterLoadAssignments of the services
 * `hostnames` only, as generateProxyConfig would build them (sorted by
 * cluster name); everything else of the proxy's EDS output is unchanged by an
 * endpoint-only push. Proxyless proxies get their blackhole CLA from the full build.
 */
export function generateEndpointsOf(push: PushContext, proxy: ProxyInfo, hostnames: ReadonlySet<string>, options: TranslateOptions = {}): { endpoints: ClusterLoadAssignmentObject[]; warnings: string[] } {
  const ctx = createContext(push, proxy, options);
  return { endpoints: sortBy(buildEndpoints(ctx, hostnames), (e) => e.clusterName), warnings: ctx.warnings };
}

export const buildListeners = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options, new Set(['listeners'])).listeners;
export const buildRoutes = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options, new Set(['routes'])).routes;
export const buildClusters = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options, new Set(['clusters'])).clusters;
export const buildEndpointsFor = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options, new Set(['endpoints'])).endpoints;

export { proxyConfigKey } from './cache-key';
