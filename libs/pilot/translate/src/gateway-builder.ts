// Routers (Istio's gateway.go): the Gateways selecting the proxy, merged by
// port into `0.0.0.0_<port>` listeners. Plain HTTP servers share one filter
// chain routed by `http.<port>`; each TLS-terminating server gets a chain
// matched by SNI with its DownstreamTlsContext and its own route
// `https.<port>.<portName>.<gateway>.<ns>`; PASSTHROUGH servers route by SNI
// with the VirtualServices' tls routes; TCP servers use their tcp routes.
import type { Gateway, Server } from '@sextant/config-model';
import { hostMatches, isHttpProtocol, parseProtocol, type IndexedVirtualService } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import type { FilterChainObject, ListenerObject, RouteConfigurationObject, RouteObject, VirtualHostObject } from './envoy-types';
import { httpConnectionManager, networkFilters } from './hcm-builder';
import { gatewayHttpRouteName, gatewayHttpsRouteName, listenerName } from './names';
import { buildVirtualServiceRoutes } from './route-builder';
import { isCatchAll } from './route-match';
import { tcpProxy, tcpRouteTargets, tlsRouteTargets } from './tcp-builder';
import { downstreamTls } from './tls-builder';
import { FILTER, TYPED } from './type-urls';
import { sortBy, typed } from './values';

interface BoundServer {
  server: Server;
  gateway: Gateway;
  /** `namespace/name`. */
  ref: string;
}

type ServerKind = 'http' | 'https' | 'passthrough' | 'tcp';

function kindOf(s: Server): ServerKind {
  const protocol = parseProtocol(s.port.protocol);
  const mode = s.tls?.mode;
  if (protocol === 'HTTPS' || protocol === 'TLS') {
    if (!mode || mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') return 'passthrough';
    return protocol === 'HTTPS' ? 'https' : 'tcp';
  }
  if (isHttpProtocol(protocol)) return 'http';
  return 'tcp';
}

/** Server hosts as (namespace, host); `./h` is the gateway's namespace, a bare host any namespace. */
function serverHosts(b: BoundServer): { ns: string; host: string }[] {
  return b.server.hosts.map((h) => {
    const i = h.indexOf('/');
    if (i < 0) return { ns: '*', host: h.toLowerCase() };
    const ns = h.slice(0, i);
    return { ns: ns === '.' ? (b.gateway.metadata.namespace ?? 'default') : ns, host: h.slice(i + 1).toLowerCase() };
  });
}

/** Hostnames served for a VirtualService on a server: each VS host intersected with the server's hosts (the narrower one wins). */
function intersect(b: BoundServer, vs: IndexedVirtualService): string[] {
  const out = new Set<string>();
  for (const { ns, host } of serverHosts(b)) {
    if (ns !== '*' && ns !== vs.namespace) continue;
    for (const h of vs.hosts.map((x) => x.toLowerCase())) {
      if (hostMatches(h, host)) out.add(h);
      else if (hostMatches(host, h)) out.add(host);
    }
  }
  return [...out];
}

function sortCatchAllLast(routes: RouteObject[]): RouteObject[] {
  return [...routes.filter((r) => !isCatchAll(r.match)), ...routes.filter((r) => isCatchAll(r.match))];
}

function gatewayRouteConfig(ctx: TranslateContext, name: string, port: number, servers: readonly BoundServer[], isTls: boolean): RouteConfigurationObject {
  const vhosts = new Map<string, VirtualHostObject>();
  for (const b of servers) {
    const redirect = b.server.tls?.httpsRedirect === true;
    for (const vs of ctx.push.virtualServiceIndex.forGateway(b.ref, ctx.proxy.namespace)) {
      const hosts = intersect(b, vs);
      if (hosts.length === 0) continue;
      const routes = buildVirtualServiceRoutes(ctx, vs, { listenerPort: port, gateways: new Set([b.ref]), isTls });
      if (routes.length === 0) continue;
      for (const h of hosts) {
        const have = vhosts.get(h);
        if (have) have.routes = [...have.routes, ...routes];
        else vhosts.set(h, { name: `${h}:${port}`, domains: [h], routes: [...routes], includeRequestAttemptCount: true });
        if (redirect) vhosts.get(h)!.requireTls = 'ALL';
      }
    }
    if (redirect) {
      for (const { host } of serverHosts(b)) {
        const have = vhosts.get(host);
        if (have) have.requireTls = 'ALL';
        else vhosts.set(host, { name: `${host}:${port}`, domains: [host], routes: [], requireTls: 'ALL', includeRequestAttemptCount: true });
      }
    }
  }
  let virtualHosts = [...vhosts.values()].map((v) => ({ ...v, routes: sortCatchAllLast(v.routes) }));
  if (virtualHosts.length === 0) {
    ctx.warn(`gateway route ${name}: no VirtualService binds to its servers; answering 404`);
    virtualHosts = [{ name: `blackhole:${port}`, domains: ['*'], routes: [] }];
  }
  return { name, virtualHosts: sortBy(virtualHosts, (v) => v.name), validateClusters: { value: false }, ignorePortInHostMatching: true };
}

const sniNames = (b: BoundServer) => [...new Set(serverHosts(b).map((h) => h.host).filter((h) => h !== '*'))].sort();

export interface GatewayConfig {
  listeners: ListenerObject[];
  routes: RouteConfigurationObject[];
}

export function buildGatewayConfig(ctx: TranslateContext): GatewayConfig {
  const byPort = new Map<number, BoundServer[]>();
  for (const gateway of ctx.push.gatewaysFor({ labels: ctx.labels })) {
    const ref = `${gateway.metadata.namespace ?? 'default'}/${gateway.metadata.name}`;
    for (const server of gateway.spec.servers ?? []) byPort.set(server.port.number, [...(byPort.get(server.port.number) ?? []), { server, gateway, ref }]);
  }
  const listeners: ListenerObject[] = [];
  const routes: RouteConfigurationObject[] = [];
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    const servers = byPort.get(port)!;
    const chains: FilterChainObject[] = [];
    let inspectTls = false;
    const plain = servers.filter((b) => kindOf(b.server) === 'http');
    if (plain.length > 0) {
      const rds = gatewayHttpRouteName(port);
      routes.push(gatewayRouteConfig(ctx, rds, port, plain, false));
      chains.push({ name: rds, filters: [...networkFilters(ctx, 'gateway', port), httpConnectionManager(ctx, { statPrefix: `outbound_0.0.0.0_${port}`, direction: 'gateway', port, rds, useRemoteAddress: true })] });
      const others = servers.filter((b) => kindOf(b.server) !== 'http');
      if (others.length > 0) ctx.warn(`gateway port ${port}: plain HTTP servers and ${others.length} other server(s) share it; only HTTP is served`);
    } else {
      for (const b of servers) {
        const kind = kindOf(b.server);
        const sni = sniNames(b);
        const match = sni.length > 0 ? { serverNames: sni } : undefined;
        if (kind === 'https') {
          const rds = gatewayHttpsRouteName(port, b.server.port.name, b.gateway.metadata.name, b.gateway.metadata.namespace ?? 'default');
          const socket = downstreamTls(ctx, b.server.tls!, ['h2', 'http/1.1']);
          if (!socket) continue;
          routes.push(gatewayRouteConfig(ctx, rds, port, [b], true));
          inspectTls = true;
          chains.push({ name: rds, ...(match ? { filterChainMatch: match } : {}), transportSocket: socket, filters: [...networkFilters(ctx, 'gateway', port), httpConnectionManager(ctx, { statPrefix: `outbound_0.0.0.0_${port}`, direction: 'gateway', port, rds, useRemoteAddress: true })] });
        } else if (kind === 'passthrough') {
          inspectTls = true;
          const vss = ctx.push.virtualServiceIndex.forGateway(b.ref, ctx.proxy.namespace);
          for (const host of sni.length > 0 ? sni : ['*']) {
            for (const vs of vss) {
              for (const r of vs.resource.spec.tls ?? []) {
                for (const m of r.match) {
                  for (const s of m.sniHosts) {
                    if (!(hostMatches(s, host) || hostMatches(host, s))) continue;
                    const name = hostMatches(s, host) ? s : host;
                    if (chains.some((c) => c.filterChainMatch?.serverNames?.[0] === name)) continue;
                    const targets = tlsRouteTargets(ctx, [vs], name, port, new Set([b.ref]));
                    if (targets) chains.push({ name: `${port}_${name}`, filterChainMatch: { serverNames: [name] }, filters: [...networkFilters(ctx, 'gateway', port), tcpProxy(`outbound|${port}||${name}`, targets)] });
                  }
                }
              }
            }
          }
        } else {
          const socket = b.server.tls ? downstreamTls(ctx, b.server.tls, []) : undefined;
          const vss = ctx.push.virtualServiceIndex.forGateway(b.ref, ctx.proxy.namespace).filter((vs) => intersect(b, vs).length > 0);
          const targets = tcpRouteTargets(ctx, vss, '*', port, new Set([b.ref]));
          if (!targets) {
            ctx.warn(`gateway ${b.ref} TCP server on port ${port}: no VirtualService tcp route binds to it`);
            continue;
          }
          if (socket) inspectTls = true;
          chains.push({ name: `${b.ref}_${port}`, ...(socket && match ? { filterChainMatch: match } : {}), ...(socket ? { transportSocket: socket } : {}), filters: [...networkFilters(ctx, 'gateway', port), tcpProxy(`${b.ref}_${port}`, targets)] });
        }
      }
    }
    if (chains.length === 0) continue;
    const bind = servers[0]!.server.bind || '0.0.0.0';
    listeners.push({
      name: listenerName(bind, port),
      address: { socketAddress: { address: bind, portValue: port } },
      trafficDirection: 'OUTBOUND',
      ...(inspectTls ? { listenerFilters: [{ name: FILTER.tlsInspector, typedConfig: typed(TYPED.tlsInspector) }] } : {}),
      filterChains: chains,
    });
  }
  return { listeners, routes };
}
