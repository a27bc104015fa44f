// VirtualService HTTP routes -> Envoy routes (Istio's
// BuildHTTPRoutesForVirtualService / TranslateRoute): per match, with
// source-label and gateway filtering at translation time, destinations to
// (subset) clusters or weighted clusters, redirect, direct response,
// rewrite, header operations, mirrors, timeout, retries, fault, CORS and
// consistent-hash policies.
import { resolveHost, type Destination, type HTTPMatchRequest, type HTTPRedirect, type HTTPRoute } from '@sextant/config-model';
import { resolveGatewayName, selectorMatches, type IndexedVirtualService, type Service } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import { flattenHttpRoutes, type FlatRoute } from './delegate';
import type { ClusterWeightObject, EnvoyObject, RouteActionObject, RouteObject } from './envoy-types';
import { BLACKHOLE_CLUSTER, outboundCluster, parseClusterName } from './names';
import { corsConfig, faultConfig, hashPolicy, headerOps, retryPolicy, routeTimeout } from './route-policies';
import { isCatchAll, translateRouteMatch } from './route-match';
import { effectivePolicy } from './traffic-policy';
import { FILTER } from './type-urls';
import { fractionPerHundred, fractionPerMillion } from './values';

export interface RouteBuildOptions {
  /** The port of the route configuration (listener port). */
  listenerPort: number;
  /** Gateways the routes are built for: `mesh` for sidecars, `ns/name` for a router. */
  gateways: ReadonlySet<string>;
  /** Built for a TLS-terminating gateway server (redirect scheme default https). */
  isTls?: boolean;
}

export interface ResolvedDestination {
  cluster: string;
  host: string;
  port: number;
  subset: string;
  service: Service | undefined;
}

/** The cluster a destination names; BlackHoleCluster (with a warning) when this proxy gets no such cluster. */
export function resolveDestination(ctx: TranslateContext, dest: Destination, namespace: string, listenerPort: number): ResolvedDestination {
  const host = resolveHost(dest.host, namespace, ctx.push.mesh.domainSuffix);
  const service = ctx.service(host);
  const port = dest.port?.number ?? (service && service.ports.length === 1 ? service.ports[0]!.port : listenerPort);
  const subset = dest.subset ?? '';
  const name = outboundCluster(host, port, subset);
  if (ctx.outboundClusters.has(name)) return { cluster: name, host, port, subset, service };
  ctx.warn(`destination ${name} is unknown to proxy ${ctx.proxy.id} (no such service, port or subset in its scope); routing to ${BLACKHOLE_CLUSTER}`);
  return { cluster: BLACKHOLE_CLUSTER, host, port, subset, service };
}

function sourceMatches(ctx: TranslateContext, match: HTTPMatchRequest | undefined, ns: string, gateways: ReadonlySet<string>): boolean {
  if (!match) return true;
  if (match.gateways?.length) return match.gateways.some((g) => gateways.has(resolveGatewayName(g, ns)));
  if (!selectorMatches(match.sourceLabels, ctx.labels)) return false;
  return !match.sourceNamespace || match.sourceNamespace === ctx.proxy.namespace;
}

const REDIRECT_CODES: Record<number, string> = { 301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT' };

function redirectAction(ctx: TranslateContext, r: HTTPRedirect, listenerPort: number, isTls: boolean): EnvoyObject | undefined {
  const code = REDIRECT_CODES[r.redirectCode ?? 301];
  if (!code) {
    ctx.warn(`redirect code ${r.redirectCode} is not supported`);
    return undefined;
  }
  const out: EnvoyObject = { responseCode: code };
  if (r.authority) out['hostRedirect'] = r.authority;
  if (r.prefixRewrite) out['prefixRewrite'] = r.prefixRewrite;
  else if (r.uri) out['pathRedirect'] = r.uri;
  if (r.scheme) out['schemeRedirect'] = r.scheme;
  let port: number | undefined = r.port;
  if (r.derivePort === 'FROM_REQUEST_PORT') port = listenerPort;
  if (port !== undefined) {
    const scheme = r.scheme ?? (isTls ? 'https' : 'http');
    if (!((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https'))) out['portRedirect'] = port;
  }
  return out;
}

function hashFor(ctx: TranslateContext, d: ResolvedDestination): EnvoyObject | undefined {
  if (!d.service) return undefined;
  const dr = ctx.destinationRule(d.service);
  return hashPolicy(effectivePolicy(dr?.spec, d.port, d.subset || undefined).loadBalancer?.consistentHash);
}

function routeAction(ctx: TranslateContext, flat: FlatRoute, opts: RouteBuildOptions, out: RouteObject, authority: string | undefined): RouteActionObject {
  const r = flat.route;
  const action: RouteActionObject = {};
  const timeout = routeTimeout(r.timeout);
  action.timeout = timeout as { seconds: string; nanos: number };
  if (ctx.proxy.proxyless) action.maxStreamDuration = { maxStreamDuration: timeout };
  else action.maxGrpcTimeout = timeout;
  if (r.rewrite) {
    if (r.rewrite.uriRegexRewrite?.match) action.regexRewrite = { pattern: { regex: r.rewrite.uriRegexRewrite.match }, substitution: r.rewrite.uriRegexRewrite.rewrite ?? '' };
    else if (r.rewrite.uri) action.prefixRewrite = r.rewrite.uri;
    if (r.rewrite.authority) authority = r.rewrite.authority;
  }
  if (authority) action.hostRewriteLiteral = authority;
  const mirrors: { dest: Destination; pct: { numerator: number; denominator: string } | undefined }[] = [];
  if (r.mirror) {
    const pct = r.mirrorPercentage ? (r.mirrorPercentage.value ?? 0) > 0 ? fractionPerMillion(r.mirrorPercentage.value!) : undefined : r.mirrorPercent != null ? r.mirrorPercent > 0 ? fractionPerHundred(r.mirrorPercent) : undefined : fractionPerHundred(100);
    mirrors.push({ dest: r.mirror, pct });
  }
  for (const m of r.mirrors ?? []) mirrors.push({ dest: m.destination, pct: m.percentage ? (m.percentage.value ?? 0) > 0 ? fractionPerMillion(m.percentage.value!) : undefined : fractionPerHundred(100) });
  const policies = mirrors
    .filter((m) => m.pct)
    .map((m) => ({ d: resolveDestination(ctx, m.dest, flat.namespace, opts.listenerPort), pct: m.pct! }))
    .filter((m) => m.d.cluster !== BLACKHOLE_CLUSTER)
    .map((m) => ({ cluster: m.d.cluster, runtimeFraction: { defaultValue: m.pct }, traceSampled: { value: false } }));
  if (policies.length > 0) action.requestMirrorPolicies = policies;
  const dests = r.route ?? [];
  const hashes: EnvoyObject[] = [];
  if (dests.length === 1) {
    const d = resolveDestination(ctx, dests[0]!.destination, flat.namespace, opts.listenerPort);
    action.cluster = d.cluster;
    const ops = headerOps(dests[0]!.headers);
    if (ops.requestHeadersToAdd) out.requestHeadersToAdd = [...(out.requestHeadersToAdd ?? []), ...ops.requestHeadersToAdd];
    if (ops.requestHeadersToRemove) out.requestHeadersToRemove = [...(out.requestHeadersToRemove ?? []), ...ops.requestHeadersToRemove];
    if (ops.responseHeadersToAdd) out.responseHeadersToAdd = [...(out.responseHeadersToAdd ?? []), ...ops.responseHeadersToAdd];
    if (ops.responseHeadersToRemove) out.responseHeadersToRemove = [...(out.responseHeadersToRemove ?? []), ...ops.responseHeadersToRemove];
    if (ops.authority && !action.hostRewriteLiteral) action.hostRewriteLiteral = ops.authority;
    const h = hashFor(ctx, d);
    if (h) hashes.push(h);
  } else {
    const clusters: ClusterWeightObject[] = [];
    for (const dst of dests) {
      if (!dst.weight) continue;
      const d = resolveDestination(ctx, dst.destination, flat.namespace, opts.listenerPort);
      const cw: ClusterWeightObject = { name: d.cluster, weight: { value: dst.weight } };
      const ops = headerOps(dst.headers);
      if (ops.requestHeadersToAdd) cw.requestHeadersToAdd = ops.requestHeadersToAdd;
      if (ops.requestHeadersToRemove) cw.requestHeadersToRemove = ops.requestHeadersToRemove;
      if (ops.responseHeadersToAdd) cw.responseHeadersToAdd = ops.responseHeadersToAdd;
      if (ops.responseHeadersToRemove) cw.responseHeadersToRemove = ops.responseHeadersToRemove;
      if (ops.authority) cw.hostRewriteLiteral = ops.authority;
      clusters.push(cw);
      const h = hashFor(ctx, d);
      if (h) hashes.push(h);
    }
    if (clusters.length === 0) action.cluster = BLACKHOLE_CLUSTER;
    else action.weightedClusters = { clusters };
  }
  if (hashes.length > 0) action.hashPolicy = hashes;
  const retries = r.retries ?? ctx.push.mesh.defaultHttpRetryPolicy;
  const rp = retryPolicy(retries, hashes.length > 0);
  if (rp) action.retryPolicy = rp;
  return action;
}

function operation(route: RouteObject, vsName: string, port: number): string {
  const m = route.match;
  const path = m.prefix !== undefined ? `${m.prefix}*` : m.path ?? m.safeRegex?.regex ?? '/*';
  const c = route.route?.cluster ? parseClusterName(route.route.cluster) : undefined;
  return c ? `${c.host}:${c.port}${path}` : `${vsName}:${port}${path}`;
}

function translateRoute(ctx: TranslateContext, flat: FlatRoute, match: HTTPMatchRequest | undefined, opts: RouteBuildOptions): RouteObject | undefined {
  const r: HTTPRoute = flat.route;
  if (match?.port && match.port !== opts.listenerPort) return undefined;
  if (!sourceMatches(ctx, match, flat.namespace, opts.gateways)) return undefined;
  const name = [r.name, match?.name].filter(Boolean).join('.');
  const out: RouteObject = { ...(name ? { name } : {}), match: translateRouteMatch(match) };
  const ops = headerOps(r.headers);
  if (ops.requestHeadersToAdd) out.requestHeadersToAdd = ops.requestHeadersToAdd;
  if (ops.requestHeadersToRemove) out.requestHeadersToRemove = ops.requestHeadersToRemove;
  if (ops.responseHeadersToAdd) out.responseHeadersToAdd = ops.responseHeadersToAdd;
  if (ops.responseHeadersToRemove) out.responseHeadersToRemove = ops.responseHeadersToRemove;
  if (r.redirect) {
    const red = redirectAction(ctx, r.redirect, opts.listenerPort, opts.isTls ?? false);
    if (!red) return undefined;
    out.redirect = red;
  } else if (r.directResponse) {
    const body = r.directResponse.body;
    out.directResponse = { status: r.directResponse.status, ...(body?.string !== undefined ? { body: { inlineString: body.string } } : body?.bytes ? { body: { inlineBytes: body.bytes } } : {}) };
  } else {
    out.route = routeAction(ctx, flat, opts, out, ops.authority);
  }
  out.decorator = { operation: operation(out, flat.vsName, opts.listenerPort) };
  const perFilter: Record<string, EnvoyObject & { '@type': string }> = {};
  if (r.fault) {
    const f = faultConfig(ctx, r.fault);
    if (f) perFilter[FILTER.fault] = f as EnvoyObject & { '@type': string };
  }
  if (r.corsPolicy && !ctx.proxy.proxyless) perFilter[FILTER.cors] = corsConfig(r.corsPolicy) as EnvoyObject & { '@type': string };
  if (Object.keys(perFilter).length > 0) out.typedPerFilterConfig = perFilter;
  return out;
}

/** Envoy routes for one VirtualService on one port; stops after a catch-all like Istio. */
export function buildVirtualServiceRoutes(ctx: TranslateContext, vs: IndexedVirtualService, opts: RouteBuildOptions): RouteObject[] {
  const out: RouteObject[] = [];
  for (const flat of flattenHttpRoutes(ctx, vs)) {
    const matches: (HTTPMatchRequest | undefined)[] = flat.route.match?.length ? flat.route.match : [undefined];
    let catchAll = false;
    for (const m of matches) {
      const route = translateRoute(ctx, flat, m, opts);
      if (!route) continue;
      out.push(route);
      if (isCatchAll(route.match)) {
        catchAll = true;
        break;
      }
    }
    if (catchAll) break;
  }
  return out;
}

/** The route for a service without a VirtualService (Istio's default outbound route). */
export function defaultRoute(ctx: TranslateContext, cluster: string, operationName: string, hashing: EnvoyObject | undefined): RouteObject {
  const timeout = routeTimeout(undefined);
  const action: RouteActionObject = { cluster, timeout: timeout as { seconds: string; nanos: number } };
  if (ctx.proxy.proxyless) action.maxStreamDuration = { maxStreamDuration: timeout };
  else action.maxGrpcTimeout = timeout;
  if (hashing) action.hashPolicy = [hashing];
  const rp = retryPolicy(ctx.push.mesh.defaultHttpRetryPolicy, hashing !== undefined);
  if (rp) action.retryPolicy = rp;
  return { name: 'default', match: { prefix: '/' }, route: action, decorator: { operation: operationName } };
}
