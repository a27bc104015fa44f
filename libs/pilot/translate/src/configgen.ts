// The entry point (Istio's configgen): everything one proxy gets, by proxy
// kind: sidecars (outbound + inbound), routers (Gateways), proxyless gRPC.
// Output lists are sorted by name; a route or listener never names a
// cluster that is not in the output.
import { createHash } from 'node:crypto';
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import { buildInboundClusters, buildOutboundClusters, buildSpecialClusters, inboundPorts, interceptionNone } from './cluster-builder';
import { danglingClusterReferences, uniqueByName, uniqueChainMatches } from './consistency';
import { createContext, httpPortsOf, type TranslateContext, type TranslateOptions } from './context';
import { buildEndpoints } from './endpoint-builder';
import type { ClusterObject, ListenerObject, ProxyConfig, RouteConfigurationObject } from './envoy-types';
import { buildGatewayConfig } from './gateway-builder';
import { buildVirtualInbound } from './inbound-builder';
import { buildHttpProxyListener, buildOutboundListeners, buildVirtualOutbound, httpProxyPort } from './listener-builder';
import { ADS_CONFIG_SOURCE } from './cluster-builder';
import { BLACKHOLE_CLUSTER } from './names';
import { buildProxylessListeners, buildProxylessRoutes } from './proxyless-builder';
import { sortBy } from './values';
import { buildHttpProxyRouteConfig, buildSidecarRouteConfig } from './virtual-host-builder';

function sidecar(ctx: TranslateContext): Omit<ProxyConfig, 'endpoints' | 'secrets' | 'warnings'> {
  const listeners: ListenerObject[] = [buildVirtualOutbound(ctx), buildVirtualInbound(ctx), ...buildOutboundListeners(ctx)];
  const ports = [...httpPortsOf(ctx.services).keys()].sort((a, b) => a - b);
  const routes: RouteConfigurationObject[] = ports.map((p) => buildSidecarRouteConfig(ctx, p));
  const proxyPort = httpProxyPort(ctx);
  if (proxyPort) {
    listeners.push(buildHttpProxyListener(ctx, proxyPort));
    routes.push(buildHttpProxyRouteConfig(ctx, ports));
  }
  const clusters = [...buildOutboundClusters(ctx), ...buildInboundClusters(ctx), ...buildSpecialClusters(ctx)];
  return { listeners, routes, clusters };
}

function router(ctx: TranslateContext): Omit<ProxyConfig, 'endpoints' | 'secrets' | 'warnings'> {
  const gw = buildGatewayConfig(ctx);
  return { listeners: gw.listeners, routes: gw.routes, clusters: [...buildOutboundClusters(ctx), ...buildSpecialClusters(ctx)] };
}

function proxyless(ctx: TranslateContext): Omit<ProxyConfig, 'endpoints' | 'secrets' | 'warnings'> {
  // gRPC has no STATIC clusters: its black hole is an EDS cluster with no endpoints.
  const blackhole: ClusterObject = { name: BLACKHOLE_CLUSTER, type: 'EDS', edsClusterConfig: { edsConfig: ADS_CONFIG_SOURCE, serviceName: BLACKHOLE_CLUSTER }, lbPolicy: 'ROUND_ROBIN', connectTimeout: { seconds: '1', nanos: 0 } };
  return { listeners: buildProxylessListeners(ctx), routes: buildProxylessRoutes(ctx), clusters: [...buildOutboundClusters(ctx), blackhole] };
}

/** Everything `proxy` gets from `push`. Never throws for bad user config (see warnings). */
export function generateProxyConfig(push: PushContext, proxy: ProxyInfo, options: TranslateOptions = {}): ProxyConfig {
  const ctx = createContext(push, proxy, options);
  const parts = proxy.proxyless ? proxyless(ctx) : proxy.type === 'router' ? router(ctx) : sidecar(ctx);
  const endpoints = buildEndpoints(ctx);
  if (proxy.proxyless) endpoints.push({ clusterName: BLACKHOLE_CLUSTER, endpoints: [] });
  const listeners = uniqueByName(parts.listeners, ctx.warn, 'listener').map((l) => uniqueChainMatches(l, ctx.warn));
  const config: ProxyConfig = {
    listeners: sortBy(listeners, (l) => l.name),
    routes: sortBy(uniqueByName(parts.routes, ctx.warn, 'route configuration'), (r) => r.name),
    clusters: sortBy(uniqueByName(parts.clusters, ctx.warn, 'cluster'), (c) => c.name),
    endpoints: sortBy(endpoints, (e) => e.clusterName),
    secrets: [...ctx.secrets].sort(),
    warnings: ctx.warnings,
  };
  for (const missing of danglingClusterReferences(config)) ctx.warn(`internal: ${missing} is referenced but not generated`);
  return config;
}

export const buildListeners = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options).listeners;
export const buildRoutes = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options).routes;
export const buildClusters = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options).clusters;
export const buildEndpointsFor = (push: PushContext, proxy: ProxyInfo, options?: TranslateOptions) => generateProxyConfig(push, proxy, options).endpoints;

/**
 * A key such that two proxies with the same key get the same output from
 * the same PushContext (and the same options): proxy kind, namespace, the
 * Sidecar in effect, the labels VirtualService sourceLabels and
 * DestinationRule/policy selectors look at, selected Gateways, the ports its
 * workload serves, and locality when locality load balancing can apply.
 */
export function proxyConfigKey(push: PushContext, proxy: ProxyInfo, options: TranslateOptions = {}): string {
  const ctx = createContext(push, proxy, options);
  const labelKeys = new Set(push.virtualServiceIndex.sourceLabelKeys);
  for (const dr of push.destinationRuleIndex.all()) if (dr.namespace === proxy.namespace) Object.keys(dr.selector ?? {}).forEach((k) => labelKeys.add(k));
  const policies = push.securityPolicies(ctx.proxy);
  const parts: string[] = [
    proxy.proxyless ? 'grpc' : proxy.type,
    proxy.namespace,
    ctx.scope?.key ?? '',
    [...labelKeys].sort().map((k) => `${k}=${ctx.labels[k] ?? ''}`).join(','),
    [...policies.peerAuthentications, ...policies.authorizationPolicies, ...policies.requestAuthentications].map((p) => `${p.kind}/${p.metadata.namespace}/${p.metadata.name}`).join(','),
    String(httpProxyPort(ctx) ?? ''),
  ];
  if (proxy.type === 'router') parts.push(push.gatewaysFor({ labels: ctx.labels }).map((g) => `${g.metadata.namespace}/${g.metadata.name}`).join(','));
  if (proxy.type === 'sidecar' && !proxy.proxyless) {
    parts.push([...inboundPorts(ctx)].map(([port, e]) => `${port}:${e.hostname}:${e.servicePort}`).join(','));
    if (interceptionNone(ctx)) parts.push(`none@${proxy.ipAddresses[0] ?? ''}`);
  }
  if (proxy.locality && push.destinationRuleIndex.all().some((d) => JSON.stringify(d.spec).includes('outlierDetection'))) parts.push(`loc=${proxy.locality}`);
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);
}
