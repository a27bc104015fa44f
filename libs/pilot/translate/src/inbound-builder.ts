// The sidecar's inbound side (Istio's listener_inbound.go): `virtualInbound`
// on the inbound capture port with a filter chain per workload port (HCM
// with an inline route to `inbound|port||` for HTTP ports, tcp_proxy for the
// rest) and a catch-all to InboundPassthroughCluster. Security decides the
// transport of both (the per-port chains and the catch-all) through the
// inboundFilterChains hook.
import { isHttpProtocol, type Protocol } from '@sextant/pilot-model';
import { inboundPorts, interceptionNone } from './cluster-builder';
import type { TranslateContext } from './context';
import type { FilterChainObject, ListenerObject, RouteConfigurationObject } from './envoy-types';
import { hookContext, httpConnectionManager, networkFilters } from './hcm-builder';
import { INBOUND_PASSTHROUGH_CLUSTER, inboundCluster, listenerName, VIRTUAL_INBOUND_LISTENER } from './names';
import { tcpProxy } from './tcp-builder';
import { FILTER, TYPED } from './type-urls';
import { typed, ZERO_DURATION } from './values';

function inboundRoute(port: number, operation: string): RouteConfigurationObject {
  const cluster = inboundCluster(port);
  return {
    name: cluster,
    validateClusters: { value: false },
    virtualHosts: [
      {
        name: `inbound|http|${port}`,
        domains: ['*'],
        routes: [
          {
            name: 'default',
            match: { prefix: '/' },
            route: { cluster, timeout: ZERO_DURATION, maxStreamDuration: { maxStreamDuration: ZERO_DURATION, grpcTimeoutHeaderMax: ZERO_DURATION } },
            decorator: { operation },
          },
        ],
      },
    ],
  };
}

/** Filter chains for one workload port, after the security hook. */
export function inboundChains(ctx: TranslateContext, port: number, protocol: Protocol, operation: string): FilterChainObject[] {
  const cluster = inboundCluster(port);
  const pre = networkFilters(ctx, 'inbound', port);
  const terminal = isHttpProtocol(protocol)
    ? httpConnectionManager(ctx, { statPrefix: `inbound_0.0.0.0_${port}`, direction: 'inbound', port, routeConfig: inboundRoute(port, operation) })
    : tcpProxy(cluster, [{ name: cluster, weight: 1 }]);
  const chains: FilterChainObject[] = [{ name: `inbound_0.0.0.0_${port}`, filterChainMatch: { destinationPort: { value: port } }, filters: [...pre, terminal] }];
  const hook = ctx.hooks.inboundFilterChains;
  return hook ? hook(hookContext(ctx, 'inbound', port), chains) : chains;
}

/** The passthrough chain for ports the workload does not declare (port 0 to the hooks), after the security hook. */
export function passthroughChains(ctx: TranslateContext): FilterChainObject[] {
  const chains: FilterChainObject[] = [
    { name: 'virtualInbound-catchall', filters: [...networkFilters(ctx, 'inbound', 0), tcpProxy(INBOUND_PASSTHROUGH_CLUSTER, [{ name: INBOUND_PASSTHROUGH_CLUSTER, weight: 1 }])] },
  ];
  const hook = ctx.hooks.inboundFilterChains;
  return hook ? hook(hookContext(ctx, 'inbound', 0), chains) : chains;
}

export function buildVirtualInbound(ctx: TranslateContext): ListenerObject {
  const chains: FilterChainObject[] = [];
  for (const [port, ep] of inboundPorts(ctx)) {
    const svc = ctx.push.service(ep.hostname, ep.namespace);
    const protocol = svc?.ports.find((p) => p.port === ep.servicePort)?.protocol ?? 'TCP';
    chains.push(...inboundChains(ctx, port, protocol, `${ep.hostname}:${ep.servicePort}/*`));
  }
  chains.push(...passthroughChains(ctx));
  return {
    name: VIRTUAL_INBOUND_LISTENER,
    address: { socketAddress: { address: '0.0.0.0', portValue: ctx.push.mesh.proxyInboundPort } },
    trafficDirection: 'INBOUND',
    listenerFilters: [
      { name: FILTER.originalDst, typedConfig: typed(TYPED.originalDst) },
      { name: FILTER.tlsInspector, typedConfig: typed(TYPED.tlsInspector) },
    ],
    filterChains: chains,
  };
}

/**
 * INTERCEPTION_MODE=NONE (no iptables): a listener per workload port bound to
 * the workload's own address, as Istio builds for such sidecars; peers reach
 * the sidecar there and it forwards to the app on the workload's loopback.
 */
export function buildBoundInboundListeners(ctx: TranslateContext): ListenerObject[] {
  const ip = ctx.proxy.ipAddresses[0];
  if (!interceptionNone(ctx) || !ip) return [];
  const out: ListenerObject[] = [];
  for (const [port, ep] of inboundPorts(ctx)) {
    const svc = ctx.push.service(ep.hostname, ep.namespace);
    const protocol = svc?.ports.find((p) => p.port === ep.servicePort)?.protocol ?? 'TCP';
    out.push({
      name: listenerName(ip, port),
      address: { socketAddress: { address: ip, portValue: port } },
      trafficDirection: 'INBOUND',
      listenerFilters: [{ name: FILTER.tlsInspector, typedConfig: typed(TYPED.tlsInspector) }],
      filterChains: inboundChains(ctx, port, protocol, `${ep.hostname}:${ep.servicePort}/*`),
    });
  }
  return out;
}
