// Sidecar outbound route configurations, one per HTTP port (named by the
// port, e.g. `9080`), as Istio builds them: a virtual host per service host
// (with Istio's domain list: FQDN, short name in the same namespace,
// name.ns, name.ns.svc, VIPs, each with and without `:port`) carrying the
// VirtualService's routes or the default route, then `allow_any` (or
// `block_all` under REGISTRY_ONLY) for everything else.
import { hostMatches, isHttpProtocol, MESH_GATEWAY, type IndexedVirtualService, type Service } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import type { RouteConfigurationObject, RouteObject, VirtualHostObject } from './envoy-types';
import { HTTP_PROXY_ROUTE, outboundCluster, PASSTHROUGH_CLUSTER } from './names';
import { buildVirtualServiceRoutes, defaultRoute } from './route-builder';
import { hashPolicy } from './route-policies';
import { effectivePolicy } from './traffic-policy';
import { sortBy } from './values';

const MESH = new Set([MESH_GATEWAY]);

/** Istio's alternative names for a Kubernetes-style host as seen from `proxyNamespace`. */
export function altHostnames(hostname: string, proxyNamespace: string, domainSuffix: string): string[] {
  const suffix = `.svc.${domainSuffix}`;
  if (!hostname.endsWith(suffix)) return [];
  const parts = hostname.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return [];
  const [name, ns] = parts as [string, string];
  const out = [`${name}.${ns}.svc`, `${name}.${ns}`];
  if (ns === proxyNamespace) out.unshift(name);
  return out;
}

/** The domain list of a service's virtual host on `port`; `bare` adds each name without the port. */
export function serviceDomains(ctx: TranslateContext, service: Service, port: number, bare = true): string[] {
  const names = [service.hostname, ...altHostnames(service.hostname, ctx.proxy.namespace, ctx.push.mesh.domainSuffix), ...service.addresses];
  return names.flatMap((n) => (bare ? [n, `${n}:${port}`] : [`${n}:${port}`]));
}

interface HostRoutes {
  name: string;
  domains: string[];
  routes: RouteObject[];
}

/** Virtual hosts of one port: VirtualService hosts first (oldest VS wins a host), then default routes. */
export function sidecarVirtualHosts(ctx: TranslateContext, port: number, bare = true): HostRoutes[] {
  const services = ctx.services.filter((s) => s.ports.some((p) => p.port === port && isHttpProtocol(p.protocol)));
  const claimed = new Set<string>();
  const out: HostRoutes[] = [];
  const vss: readonly IndexedVirtualService[] = ctx.scope?.virtualServices ?? [];
  for (const vs of vss) {
    const matched: Service[] = [];
    const nonRegistry: string[] = [];
    for (const h of vs.hosts) {
      const hits = h.includes('*') ? services.filter((s) => hostMatches(s.hostname, h)) : services.filter((s) => s.hostname === h);
      const fresh = hits.filter((s) => !claimed.has(s.hostname));
      matched.push(...fresh);
      const known = h.includes('*') ? ctx.services.some((s) => hostMatches(s.hostname, h)) : ctx.service(h) !== undefined;
      if (!known) nonRegistry.push(h);
    }
    if (matched.length === 0 && !(port === 80 && nonRegistry.length > 0)) continue;
    const routes = buildVirtualServiceRoutes(ctx, vs, { listenerPort: port, gateways: MESH });
    if (routes.length === 0) continue;
    for (const s of matched) {
      claimed.add(s.hostname);
      out.push({ name: `${s.hostname}:${port}`, domains: serviceDomains(ctx, s, port, bare), routes });
    }
    for (const h of port === 80 ? nonRegistry : []) {
      out.push({ name: `${h}:${port}`, domains: bare ? [h, `${h}:${port}`] : [`${h}:${port}`], routes });
    }
  }
  for (const s of services) {
    if (claimed.has(s.hostname)) continue;
    const dr = ctx.destinationRule(s);
    const hash = hashPolicy(effectivePolicy(dr?.spec, port).loadBalancer?.consistentHash);
    out.push({ name: `${s.hostname}:${port}`, domains: serviceDomains(ctx, s, port, bare), routes: [defaultRoute(ctx, outboundCluster(s.hostname, port), `${s.hostname}:${port}/*`, hash)] });
  }
  return out;
}

/** Drops domains an earlier virtual host already has (Envoy rejects duplicates), then hosts left with none. */
function dedupeDomains(ctx: TranslateContext, hosts: HostRoutes[]): HostRoutes[] {
  const seen = new Set<string>();
  const out: HostRoutes[] = [];
  for (const h of hosts) {
    const domains = h.domains.filter((d) => !seen.has(d.toLowerCase()));
    domains.forEach((d) => seen.add(d.toLowerCase()));
    if (domains.length === 0) {
      ctx.warn(`virtual host ${h.name} dropped: all its domains belong to other hosts`);
      continue;
    }
    out.push({ ...h, domains });
  }
  return out;
}

/** `allow_any` to PassthroughCluster, or `block_all` answering 502 under REGISTRY_ONLY. */
export function catchAllVirtualHost(ctx: TranslateContext): VirtualHostObject {
  const registryOnly = (ctx.scope?.outboundTrafficPolicy ?? ctx.push.mesh.outboundTrafficPolicy) === 'REGISTRY_ONLY';
  if (registryOnly) return { name: 'block_all', domains: ['*'], routes: [{ name: 'block_all', match: { prefix: '/' }, directResponse: { status: 502 } }] };
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: PASSTHROUGH_CLUSTER, timeout: { seconds: '0', nanos: 0 }, maxGrpcTimeout: { seconds: '0', nanos: 0 } } }],
  };
}

function toVirtualHosts(hosts: HostRoutes[]): VirtualHostObject[] {
  return sortBy(
    hosts.map((h) => ({ name: h.name, domains: h.domains, routes: h.routes, includeRequestAttemptCount: true })),
    (v) => v.name,
  );
}

/** The outbound RouteConfiguration named by `port` for a sidecar. */
export function buildSidecarRouteConfig(ctx: TranslateContext, port: number): RouteConfigurationObject {
  const hosts = toVirtualHosts(dedupeDomains(ctx, sidecarVirtualHosts(ctx, port)));
  return { name: String(port), virtualHosts: [...hosts, catchAllVirtualHost(ctx)], validateClusters: { value: false } };
}

/** The `http_proxy` RouteConfiguration of Istio's explicit HTTP proxy listener: every HTTP port's hosts, addressed as `host:port`. */
export function buildHttpProxyRouteConfig(ctx: TranslateContext, ports: readonly number[]): RouteConfigurationObject {
  const all = ports.flatMap((p) => sidecarVirtualHosts(ctx, p, p === 80));
  const hosts = toVirtualHosts(dedupeDomains(ctx, all));
  return { name: HTTP_PROXY_ROUTE, virtualHosts: [...hosts, catchAllVirtualHost(ctx)], validateClusters: { value: false } };
}
