// Proxyless gRPC (Istio's grpcgen): a client dialing
// `xds:///reviews.default.svc.cluster.local:9080` asks for the listener
// named by that authority. Each is an api_listener holding an HCM with RDS
// (route named like the listener) and the filters grpc-js implements;
// routes carry the VirtualService's rules with max_stream_duration for
// timeouts. Short aliases (`reviews:9080` in the same namespace,
// `reviews.default:9080`, `reviews.default.svc:9080`) get listeners too.
import { isTlsProtocol, type Service, type ServicePort } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import type { ListenerObject, RouteConfigurationObject } from './envoy-types';
import { httpConnectionManager } from './hcm-builder';
import { grpcListenerName } from './names';
import { sidecarVirtualHosts, altHostnames } from './virtual-host-builder';

function grpcPorts(s: Service): ServicePort[] {
  return s.resolution === 'NONE' ? [] : s.ports.filter((p) => !isTlsProtocol(p.protocol));
}

function hostNames(ctx: TranslateContext, s: Service): string[] {
  return [s.hostname, ...altHostnames(s.hostname, ctx.proxy.namespace, ctx.push.mesh.domainSuffix)];
}

export function buildProxylessListeners(ctx: TranslateContext): ListenerObject[] {
  const out: ListenerObject[] = [];
  for (const s of ctx.services) {
    for (const p of grpcPorts(s)) {
      const route = grpcListenerName(s.hostname, p.port);
      for (const h of hostNames(ctx, s)) {
        const hcm = httpConnectionManager(ctx, { statPrefix: route, direction: 'outbound', port: p.port, rds: route });
        out.push({ name: grpcListenerName(h, p.port), apiListener: { apiListener: hcm.typedConfig } });
      }
    }
  }
  return out;
}

export function buildProxylessRoutes(ctx: TranslateContext): RouteConfigurationObject[] {
  const out: RouteConfigurationObject[] = [];
  const byPort = new Map<number, ReturnType<typeof sidecarVirtualHosts>>();
  for (const s of ctx.services) {
    for (const p of grpcPorts(s)) {
      if (!byPort.has(p.port)) byPort.set(p.port, sidecarVirtualHosts(ctx, p.port, false));
      const name = grpcListenerName(s.hostname, p.port);
      const vh = byPort.get(p.port)!.find((v) => v.name === name);
      const domains = hostNames(ctx, s).flatMap((h) => [`${h}:${p.port}`, h]);
      if (!vh) {
        // A non-HTTP port: route straight to the service's cluster.
        out.push({ name, virtualHosts: [{ name, domains, routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: `outbound|${p.port}||${s.hostname}`, timeout: { seconds: '0', nanos: 0 }, maxStreamDuration: { maxStreamDuration: { seconds: '0', nanos: 0 } } } }] }] });
        continue;
      }
      out.push({ name, virtualHosts: [{ name, domains, routes: [...vh.routes] }] });
    }
  }
  return out;
}
