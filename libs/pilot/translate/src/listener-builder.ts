// Sidecar outbound listeners (Istio's listener.go): `virtualOutbound` on the
// capture port handing connections to per-port listeners by original
// destination; `0.0.0.0_<port>` with an HCM (RDS named by the port) for HTTP
// ports; `<vip>_<port>` with tcp_proxy for TCP services (weighted by a TCP
// VirtualService); `0.0.0.0_<port>` routed by SNI for TLS ports; and,
// when asked, Istio's explicit HTTP proxy listener.
import { isHttpProtocol, isTlsProtocol, MESH_GATEWAY, type Service } from '@sextant/pilot-model';
import { httpPortsOf, type TranslateContext } from './context';
import type { FilterChainObject, ListenerObject } from './envoy-types';
import { httpConnectionManager, networkFilters } from './hcm-builder';
import { BLACKHOLE_CLUSTER, HTTP_PROXY_ROUTE, listenerName, outboundCluster, PASSTHROUGH_CLUSTER, VIRTUAL_OUTBOUND_LISTENER } from './names';
import { tcpProxy, tcpRouteTargets, tlsRouteTargets, type WeightedTarget } from './tcp-builder';
import { FILTER, TYPED } from './type-urls';
import { typed } from './values';

const MESH = new Set([MESH_GATEWAY]);

const address = (ip: string, port: number) => ({ socketAddress: { address: ip, portValue: port } });

function passthroughTarget(ctx: TranslateContext): string {
  return (ctx.scope?.outboundTrafficPolicy ?? ctx.push.mesh.outboundTrafficPolicy) === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
}

function outboundListener(name: string, ip: string, port: number, chains: FilterChainObject[], extra: Partial<ListenerObject> = {}): ListenerObject {
  return { name, address: address(ip, port), bindToPort: { value: false }, trafficDirection: 'OUTBOUND', filterChains: chains, ...extra };
}

export function buildVirtualOutbound(ctx: TranslateContext): ListenerObject {
  const target = passthroughTarget(ctx);
  return {
    name: VIRTUAL_OUTBOUND_LISTENER,
    address: address('0.0.0.0', ctx.push.mesh.proxyOutboundPort),
    useOriginalDst: { value: true },
    trafficDirection: 'OUTBOUND',
    filterChains: [{ name: 'virtualOutbound-catchall-tcp', filters: [...networkFilters(ctx, 'outbound', 0), tcpProxy(target, [{ name: target, weight: 1 }])] }],
  };
}

function tcpTargets(ctx: TranslateContext, s: Service, port: number): WeightedTarget[] {
  return tcpRouteTargets(ctx, ctx.scope?.virtualServices ?? [], s.hostname, port, MESH) ?? [{ name: outboundCluster(s.hostname, port), weight: 1 }];
}

/** Every outbound listener for the ports of the services the sidecar sees. */
export function buildOutboundListeners(ctx: TranslateContext): ListenerObject[] {
  const out: ListenerObject[] = [];
  const httpPorts = httpPortsOf(ctx.services);
  for (const port of [...httpPorts.keys()].sort((a, b) => a - b)) {
    const hcm = httpConnectionManager(ctx, { statPrefix: `outbound_0.0.0.0_${port}`, direction: 'outbound', port, rds: String(port) });
    out.push(outboundListener(listenerName('0.0.0.0', port), '0.0.0.0', port, [{ name: `0.0.0.0_${port}`, filters: [...networkFilters(ctx, 'outbound', port), hcm] }]));
  }
  const tlsChains = new Map<number, FilterChainObject[]>();
  const wildcardTcp = new Map<number, Service[]>();
  for (const s of ctx.services) {
    for (const p of s.ports) {
      if (isHttpProtocol(p.protocol)) continue;
      if (isTlsProtocol(p.protocol)) {
        if (httpPorts.has(p.port)) {
          ctx.warn(`TLS port ${p.port} of ${s.hostname} clashes with an HTTP port; no SNI listener`);
          continue;
        }
        if (s.hostname.startsWith('*') && s.resolution === 'NONE') continue;
        const targets = tlsRouteTargets(ctx, ctx.scope?.virtualServices ?? [], s.hostname, p.port, MESH) ?? [{ name: outboundCluster(s.hostname, p.port), weight: 1 }];
        const chain: FilterChainObject = { name: `${s.hostname}_${p.port}`, filterChainMatch: { serverNames: [s.hostname] }, filters: [...networkFilters(ctx, 'outbound', p.port), tcpProxy(`outbound|${p.port}||${s.hostname}`, targets)] };
        tlsChains.set(p.port, [...(tlsChains.get(p.port) ?? []), chain]);
        continue;
      }
      if (s.addresses.length === 0) {
        wildcardTcp.set(p.port, [...(wildcardTcp.get(p.port) ?? []), s]);
        continue;
      }
      const targets = tcpTargets(ctx, s, p.port);
      for (const vip of s.addresses) {
        const chain: FilterChainObject = { name: `${vip}_${p.port}`, filters: [...networkFilters(ctx, 'outbound', p.port), tcpProxy(`outbound|${p.port}||${s.hostname}`, targets)] };
        out.push(outboundListener(listenerName(vip, p.port), vip, p.port, [chain]));
      }
    }
  }
  for (const [port, chains] of tlsChains) {
    const fallback = passthroughTarget(ctx);
    chains.push({ name: 'PassthroughFilterChain', filters: [tcpProxy(fallback, [{ name: fallback, weight: 1 }])] });
    out.push(outboundListener(listenerName('0.0.0.0', port), '0.0.0.0', port, chains, { listenerFilters: [{ name: FILTER.tlsInspector, typedConfig: typed(TYPED.tlsInspector) }] }));
  }
  for (const [port, services] of wildcardTcp) {
    if (httpPorts.has(port) || tlsChains.has(port)) continue;
    if (services.length > 1) ctx.warn(`TCP port ${port}: ${services.length} services without a VIP share it; ${services[0]!.hostname} gets it`);
    const s = services[0]!;
    const targets = s.resolution === 'NONE' ? [{ name: outboundCluster(s.hostname, port), weight: 1 }] : tcpTargets(ctx, s, port);
    out.push(outboundListener(listenerName('0.0.0.0', port), '0.0.0.0', port, [{ name: `0.0.0.0_${port}`, filters: [...networkFilters(ctx, 'outbound', port), tcpProxy(`outbound|${port}||${s.hostname}`, targets)] }]));
  }
  return out;
}

/** The port of Istio's explicit HTTP proxy listener for this proxy, if any. */
export function httpProxyPort(ctx: TranslateContext): number | undefined {
  const md = ctx.proxy.metadata['HTTP_PROXY_PORT'];
  const fromMd = typeof md === 'string' || typeof md === 'number' ? Number(md) : undefined;
  const port = ctx.options.httpProxyPort ?? fromMd;
  return port && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** `127.0.0.1_<port>`: the app uses the sidecar as its HTTP proxy (absolute-form requests), routed by `http_proxy`. */
export function buildHttpProxyListener(ctx: TranslateContext, port: number): ListenerObject {
  const hcm = httpConnectionManager(ctx, { statPrefix: `outbound_127.0.0.1_${port}`, direction: 'outbound', port, rds: HTTP_PROXY_ROUTE, allowAbsoluteUrl: true });
  return { name: listenerName('127.0.0.1', port), address: address('127.0.0.1', port), trafficDirection: 'OUTBOUND', filterChains: [{ filters: [...networkFilters(ctx, 'outbound', port), hcm] }] };
}
