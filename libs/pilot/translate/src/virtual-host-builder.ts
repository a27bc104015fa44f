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
import { trackedRoutes } from './tracked-routes';
import { hashPolicy } from './route-policies';
import { effectivePolicy } from './traffic-policy';
import { sortBy } from './values';

const MESH = new Set([MESH_GATEWAY]);

/** `[name, namespace]` of a Kubernetes-style host `<name>.<namespace>.svc.<domainSuffix>`. */
function kubeServiceName(hostname: string, domainSuffix: string): [string, string] | undefined {
  const suffix = `.svc.${domainSuffix}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const parts = hostname.slice(0, -suffix.length).split('.');
  return parts.length === 2 ? (parts as [string, string]) : undefined;
}

/** Istio's alternative names for a Kubernetes-style host as seen from `proxyNamespace`. */
export function altHostnames(hostname: string, proxyNamespace: string, domainSuffix: string): string[] {
  const parsed = kubeServiceName(hostname, domainSuffix);
  if (!parsed) return [];
  const [name, ns] = parsed;
  const out = [`${name}.${ns}.svc`, `${name}.${ns}`];
  if (ns === proxyNamespace) out.unshift(name);
  return out;
}

/** The domain list of a service's virtual host on `port`; `bare` adds each name without the port. */
export function serviceDomains(ctx: TranslateContext, service: Service, port: number, bare = true): string[] {
  const names = [service.hostname, ...altHostnames(service.hostname, ctx.proxy.namespace, ctx.push.mesh.domainSuffix), ...service.addresses];
  return names.flatMap((n) => (bare ? [n, `${n}:${port}`] : [`${n}:${port}`]));
}

/**
 * Every input of serviceDomains(ctx, s, port, bare), \0-separated (names and
 * addresses never hold a NUL). The proxy changes the domains only through
 * whether the host gets its short name (its namespace is the proxy's).
 */
function domainsKey(ctx: TranslateContext, s: Service, port: number, bare: boolean): string {
  const suffix = ctx.push.mesh.domainSuffix;
  const short = kubeServiceName(s.hostname, suffix)?.[1] === ctx.proxy.namespace;
  return `${s.hostname}\0${s.addresses.join(',')}\0${port}\0${bare}\0${short}\0${suffix}`;
}

interface HostRoutes {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly RouteObject[];
}

/** The mesh's default retry policy as text, per push (a default route's input). */
const retryPolicyText = new WeakMap<object, string>();

/**
 * The virtual host of a service no VirtualService claims: its domains and the
 * default route to its cluster (with the DestinationRule's consistent hash).
 * With a cache, built once per distinct input for every key and push.
 */
function defaultVirtualHost(ctx: TranslateContext, s: Service, port: number, bare: boolean): HostRoutes {
  const dr = ctx.destinationRule(s);
  const hash = hashPolicy(effectivePolicy(dr?.spec, port).loadBalancer?.consistentHash);
  const build = (): HostRoutes => ({
    name: `${s.hostname}:${port}`,
    domains: serviceDomains(ctx, s, port, bare),
    routes: [defaultRoute(ctx, outboundCluster(s.hostname, port), `${s.hostname}:${port}/*`, hash)],
  });
  const cache = ctx.options.cache;
  if (!cache) return build();
  const mesh = ctx.push.mesh;
  let retries = retryPolicyText.get(mesh);
  if (retries === undefined) retryPolicyText.set(mesh, (retries = JSON.stringify(mesh.defaultHttpRetryPolicy ?? null)));
  // Every input of build(), \0-separated (JSON text escapes NUL).
  const key = `default-vhost\0${domainsKey(ctx, s, port, bare)}\0${ctx.proxy.proxyless}\0${retries}\0${hash === undefined ? '' : JSON.stringify(hash)}`;
  return cache.get(key, build);
}

/** Virtual hosts of one port: VirtualService hosts first (oldest VS wins a host), then default routes. */
export function sidecarVirtualHosts(ctx: TranslateContext, port: number, bare = true): HostRoutes[] {
  const services = ctx.services.filter((s) => s.ports.some((p) => p.port === port && isHttpProtocol(p.protocol)));
  const onPort = new Map(services.map((s) => [s.hostname, s]));
  const claimed = new Set<string>();
  const out: HostRoutes[] = [];
  const vss: readonly IndexedVirtualService[] = ctx.scope?.virtualServices ?? [];
  for (const vs of vss) {
    const matched: Service[] = [];
    const nonRegistry: string[] = [];
    for (const h of vs.hosts) {
      const exact = h.includes('*') ? undefined : onPort.get(h);
      const hits = h.includes('*') ? services.filter((s) => hostMatches(s.hostname, h)) : exact ? [exact] : [];
      const fresh = hits.filter((s) => !claimed.has(s.hostname));
      matched.push(...fresh);
      const known = h.includes('*') ? ctx.services.some((s) => hostMatches(s.hostname, h)) : ctx.service(h) !== undefined;
      if (!known) nonRegistry.push(h);
    }
    if (matched.length === 0 && !(port === 80 && nonRegistry.length > 0)) continue;
    const routes = trackedRoutes(ctx, vs, `mesh\0${port}`, (c) => buildVirtualServiceRoutes(c, vs, { listenerPort: port, gateways: MESH }));
    if (routes.length === 0) continue;
    for (const s of matched) {
      claimed.add(s.hostname);
      out.push(claimedVirtualHost(ctx, s, port, bare, routes));
    }
    for (const h of port === 80 ? nonRegistry : []) {
      out.push({ name: `${h}:${port}`, domains: bare ? [h, `${h}:${port}`] : [`${h}:${port}`], routes });
    }
  }
  for (const s of services) if (!claimed.has(s.hostname)) out.push(defaultVirtualHost(ctx, s, port, bare));
  return out;
}

/** Virtual hosts of VirtualService routes, per routes array (shared while the routes are: see tracked-routes.ts). */
const claimedHosts = new WeakMap<readonly RouteObject[], Map<string, HostRoutes>>();

/** The virtual host of a service a VirtualService claims: its domains and the VirtualService's routes. */
function claimedVirtualHost(ctx: TranslateContext, s: Service, port: number, bare: boolean, routes: RouteObject[]): HostRoutes {
  const build = (): HostRoutes => ({ name: `${s.hostname}:${port}`, domains: serviceDomains(ctx, s, port, bare), routes });
  if (!ctx.options.cache) return build();
  let hosts = claimedHosts.get(routes);
  if (!hosts) claimedHosts.set(routes, (hosts = new Map()));
  const key = domainsKey(ctx, s, port, bare);
  let h = hosts.get(key);
  if (!h) hosts.set(key, (h = build()));
  return h;
}

/** Lower-cased domain lists, per (shared, immutable) list. */
const lowered = new WeakMap<readonly string[], readonly string[]>();

function lowerCased(domains: readonly string[]): readonly string[] {
  let l = lowered.get(domains);
  if (!l) lowered.set(domains, (l = domains.map((d) => d.toLowerCase())));
  return l;
}

/** Drops domains an earlier virtual host already has (Envoy rejects duplicates), then hosts left with none. A host that loses nothing is kept as it is. */
function dedupeDomains(ctx: TranslateContext, hosts: HostRoutes[]): HostRoutes[] {
  const seen = new Set<string>();
  const out: HostRoutes[] = [];
  for (const h of hosts) {
    const lower = lowerCased(h.domains);
    let domains: readonly string[] = h.domains;
    if (lower.some((d) => seen.has(d))) domains = h.domains.filter((_, i) => !seen.has(lower[i]!));
    for (const d of lower) seen.add(d);
    if (domains.length === 0) {
      ctx.warn(`virtual host ${h.name} dropped: all its domains belong to other hosts`);
      continue;
    }
    out.push(domains === h.domains ? h : { ...h, domains });
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

/** The VirtualHostObject of each HostRoutes (one object per HostRoutes, so a cached host keeps its identity). */
const virtualHostObjects = new WeakMap<HostRoutes, VirtualHostObject>();

function toVirtualHosts(hosts: HostRoutes[]): VirtualHostObject[] {
  const out = hosts.map((h) => {
    let v = virtualHostObjects.get(h);
    if (!v) virtualHostObjects.set(h, (v = { name: h.name, domains: h.domains as string[], routes: h.routes as RouteObject[], includeRequestAttemptCount: true }));
    return v;
  });
  return sortBy(out, (v) => v.name);
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
