// Opaque TCP and SNI-routed TLS: tcp_proxy filters whose destination comes
// from a VirtualService's `tcp` or `tls` routes (weighted clusters), or the
// service's own cluster when no route applies.
import type { L4MatchAttributes, RouteDestination, TLSMatchAttributes } from '@sextant/config-model';
import { hostMatches, resolveGatewayName, selectorMatches, type IndexedVirtualService } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import type { FilterObject } from './envoy-types';
import { BLACKHOLE_CLUSTER } from './names';
import { resolveDestination } from './route-builder';
import { FILTER, TYPED } from './type-urls';
import { typed } from './values';

export interface WeightedTarget {
  name: string;
  weight: number;
}

export function tcpProxy(statPrefix: string, targets: readonly WeightedTarget[]): FilterObject {
  const cfg: Record<string, unknown> = { statPrefix };
  if (targets.length === 1) cfg['cluster'] = targets[0]!.name;
  else cfg['weightedClusters'] = { clusters: targets.map((t) => ({ name: t.name, weight: t.weight })) };
  return { name: FILTER.tcpProxy, typedConfig: typed(TYPED.tcpProxy, cfg) };
}

function l4Applies(ctx: TranslateContext, m: L4MatchAttributes | TLSMatchAttributes, ns: string, port: number, gateways: ReadonlySet<string>): boolean {
  if (m.port && m.port !== port) return false;
  if (m.gateways?.length && !m.gateways.some((g) => gateways.has(resolveGatewayName(g, ns)))) return false;
  if (!selectorMatches(m.sourceLabels, ctx.labels)) return false;
  return !m.sourceNamespace || m.sourceNamespace === ctx.proxy.namespace;
}

function targets(ctx: TranslateContext, routes: readonly RouteDestination[] | undefined, ns: string, port: number): WeightedTarget[] {
  const list = routes ?? [];
  if (list.length === 0) return [{ name: BLACKHOLE_CLUSTER, weight: 1 }];
  if (list.length === 1) return [{ name: resolveDestination(ctx, list[0]!.destination, ns, port).cluster, weight: 100 }];
  return list.filter((r) => (r.weight ?? 0) > 0).map((r) => ({ name: resolveDestination(ctx, r.destination, ns, port).cluster, weight: r.weight! }));
}

/** Destination of TCP traffic to `hostname:port` from a VirtualService's tcp routes (undefined: none applies). */
export function tcpRouteTargets(ctx: TranslateContext, vss: readonly IndexedVirtualService[], hostname: string, port: number, gateways: ReadonlySet<string>): WeightedTarget[] | undefined {
  for (const vs of vss) {
    if (!vs.resource.spec.tcp?.length || !vs.hosts.some((h) => hostMatches(hostname, h) || hostMatches(h, hostname))) continue;
    for (const r of vs.resource.spec.tcp ?? []) {
      const applies = !r.match?.length || r.match.some((m) => !m.destinationSubnets?.length && l4Applies(ctx, m, vs.namespace, port, gateways));
      if (applies) return targets(ctx, r.route, vs.namespace, port);
    }
    return undefined;
  }
  return undefined;
}

/** Destination of TLS traffic with SNI `sni` on `port` from a VirtualService's tls routes. */
export function tlsRouteTargets(ctx: TranslateContext, vss: readonly IndexedVirtualService[], sni: string, port: number, gateways: ReadonlySet<string>): WeightedTarget[] | undefined {
  for (const vs of vss) {
    if (!vs.hosts.some((h) => hostMatches(sni, h) || hostMatches(h, sni))) continue;
    for (const r of vs.resource.spec.tls ?? []) {
      const applies = r.match.some((m) => m.sniHosts.some((s) => hostMatches(sni, s) || hostMatches(s, sni)) && l4Applies(ctx, m, vs.namespace, port, gateways));
      if (applies) return targets(ctx, r.route, vs.namespace, port);
    }
  }
  return undefined;
}
