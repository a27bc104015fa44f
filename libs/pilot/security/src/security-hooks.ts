// The TranslateHooks implementation: what translation asks the security
// seam for, per filter chain.
// - httpFilters: jwt_authn then RBAC (custom, audit, deny, allow) on inbound
//   sidecar HCMs and gateway HCMs; nothing on outbound.
// - networkFilters: network RBAC before tcp_proxy on inbound TCP chains
//   (including the passthrough catch-all) and gateway TCP servers.
// - inboundFilterChains: PeerAuthentication's chains for a workload port.
//   Also the passthrough catch-all (port 0): the workload-level mode, so
//   STRICT refuses plaintext to ports the workload does not declare.
// - clusters: one per JWKS host that is not already a cluster of the proxy.
// - endpointTlsMode: `disabled` for endpoints whose server mode is DISABLE
//   (client-side auto mTLS then sends plaintext there, as Istio does).
// Warnings go to translation's output (ctx.warn) and to onWarning.
import type { ProxyInfo, PushContext, ServiceEndpoint, Labels } from '@sextant/pilot-model';
import { isHttpProtocol, parseProtocol } from '@sextant/pilot-model';
import type { ClusterHookContext, ClusterObject, EnvoyObject, FilterHookContext, FilterObject, TranslateHooks, TranslateOptions } from '@sextant/translate';
import { jwksClusters, jwtAuthnFilter } from './jwt-authn-builder';
import { applyPeerAuthentication, composePeerAuthentication, mtlsModeForPort, type MtlsMode } from './peer-authn-builder';
import { rbacHttpFilters, rbacNetworkFilters } from './rbac-builder';

export interface SecurityHooksOptions {
  /** Where proxies fetch the `default`/`ROOTCA` secrets: pass the same value as TranslateOptions.sdsSource. */
  sdsSource?: TranslateOptions['sdsSource'];
  /** Trust domains accepted besides the mesh's own (Istio: trustDomainAliases). */
  trustDomainAliases?: readonly string[];
  /** Called once per proxy and message (per push) for config that is ignored, unsupported or degraded. */
  onWarning?: (message: string, proxy: ProxyInfo) => void;
}

/** The SDS config source translation uses for the same `sdsSource`. */
export function sdsConfigFor(src: TranslateOptions['sdsSource'] = 'ads'): EnvoyObject {
  const initialFetchTimeout = { seconds: '0', nanos: 0 };
  if (src === 'ads') return { ads: {}, initialFetchTimeout, resourceApiVersion: 'V3' };
  return {
    apiConfigSource: { apiType: 'GRPC', transportApiVersion: 'V3', setNodeOnFirstMessageOnly: true, grpcServices: [{ envoyGrpc: { clusterName: src.clusterName } }] },
    initialFetchTimeout,
    resourceApiVersion: 'V3',
  };
}

/** The mTLS mode a workload (namespace, labels) applies on one of its ports. */
export function workloadMtlsMode(push: PushContext, namespace: string, labels: Labels, port: number): MtlsMode {
  const policies = push.securityPolicies({ namespace, labels }).peerAuthentications;
  return mtlsModeForPort(composePeerAuthentication(push.mesh.rootNamespace, policies), port);
}

/** Per push, per labels object (shared by a workload's endpoints): the mode per namespace and port. */
const modeCache = new WeakMap<PushContext, WeakMap<Labels, Map<string, MtlsMode>>>();

/** Whether an endpoint refuses mTLS (PeerAuthentication DISABLE on its port): client auto mTLS must send plaintext there. */
export function endpointMtlsDisabled(push: PushContext, e: ServiceEndpoint): boolean {
  if (e.tlsMode !== 'istio') return false;
  const namespace = e.workloadNamespace ?? e.namespace;
  let byLabels = modeCache.get(push);
  if (!byLabels) modeCache.set(push, (byLabels = new WeakMap()));
  let modes = byLabels.get(e.labels);
  if (!modes) byLabels.set(e.labels, (modes = new Map()));
  const key = `${namespace}:${e.port}`;
  let mode = modes.get(key);
  if (mode === undefined) modes.set(key, (mode = workloadMtlsMode(push, namespace, e.labels, e.port)));
  return mode === 'DISABLE';
}

/** HTTP or TCP for the inbound chain of a workload port (port 0: the passthrough catch-all, TCP). */
function inboundProtocol(push: PushContext, proxy: ProxyInfo, port: number): 'http' | 'tcp' {
  if (port === 0) return 'tcp';
  const ep = push.proxyEndpoints(proxy).find((e) => e.port === port);
  const svc = ep ? push.service(ep.hostname, ep.namespace) : undefined;
  const protocol = svc?.ports.find((p) => p.port === ep!.servicePort)?.protocol;
  return protocol && isHttpProtocol(protocol) ? 'http' : 'tcp';
}

/** What a gateway serves on a port (as translation's gateway builder decides): plain HTTP wins; else HTTPS terminates to HTTP, the rest is TCP. */
function gatewayProtocol(push: PushContext, proxy: ProxyInfo, port: number): 'http' | 'tcp' | 'mixed' {
  const kinds = new Set<string>();
  for (const g of push.gatewaysFor({ labels: push.proxyLabels(proxy) })) {
    for (const s of g.spec.servers ?? []) {
      if (s.port.number !== port) continue;
      const protocol = parseProtocol(s.port.protocol);
      const mode = s.tls?.mode;
      if (protocol === 'HTTPS' || protocol === 'TLS') kinds.add(!mode || mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH' || protocol === 'TLS' ? 'tcp' : 'https');
      else kinds.add(isHttpProtocol(protocol) ? 'plain-http' : 'tcp');
    }
  }
  if (kinds.has('plain-http') || (kinds.size === 1 && kinds.has('https'))) return 'http';
  if (kinds.has('https') && kinds.has('tcp')) return 'mixed';
  return 'tcp';
}

/** Per push, per proxy: messages already reported. */
const reported = new WeakMap<PushContext, Map<string, Set<string>>>();

function warner(ctx: Pick<FilterHookContext, 'push' | 'proxy' | 'warn'>, options: SecurityHooksOptions): (m: string) => void {
  return (message) => {
    ctx.warn?.(message);
    if (!options.onWarning) return;
    let byProxy = reported.get(ctx.push);
    if (!byProxy) reported.set(ctx.push, (byProxy = new Map()));
    let seen = byProxy.get(ctx.proxy.id);
    if (!seen) byProxy.set(ctx.proxy.id, (seen = new Set()));
    if (seen.has(message)) return;
    seen.add(message);
    options.onWarning(message, ctx.proxy);
  };
}

export function securityHooks(options: SecurityHooksOptions = {}): TranslateHooks {
  const sdsConfig = sdsConfigFor(options.sdsSource);
  return {
    httpFilters(ctx: FilterHookContext): FilterObject[] {
      if (ctx.direction === 'outbound' || ctx.proxy.proxyless) return [];
      const warn = warner(ctx, options);
      const jwt = jwtAuthnFilter(ctx.policies.requestAuthentications, { warn, clearRouteCache: ctx.direction === 'gateway' });
      return [...(jwt ? [jwt] : []), ...rbacHttpFilters(ctx.policies.authorizationPolicies, warn)];
    },
    networkFilters(ctx: FilterHookContext): FilterObject[] {
      if (ctx.direction === 'outbound' || ctx.proxy.proxyless || ctx.policies.authorizationPolicies.length === 0) return [];
      const warn = warner(ctx, options);
      const protocol = ctx.direction === 'inbound' ? inboundProtocol(ctx.push, ctx.proxy, ctx.port) : gatewayProtocol(ctx.push, ctx.proxy, ctx.port);
      if (protocol === 'http') return [];
      if (protocol === 'mixed') {
        warn(`gateway port ${ctx.port} serves both HTTPS and TLS/TCP: network RBAC applies to every chain of the port (fail closed)`);
      }
      return rbacNetworkFilters(ctx.policies.authorizationPolicies, warn);
    },
    inboundFilterChains(ctx, chains) {
      if (ctx.proxy.type !== 'sidecar' || ctx.proxy.proxyless) return chains;
      const merged = composePeerAuthentication(ctx.push.mesh.rootNamespace, ctx.policies.peerAuthentications);
      const tls = { trustDomain: ctx.push.mesh.trustDomain, sdsConfig, ...(options.trustDomainAliases ? { trustDomainAliases: options.trustDomainAliases } : {}) };
      return applyPeerAuthentication(chains, mtlsModeForPort(merged, ctx.port), tls);
    },
    clusters(ctx: ClusterHookContext): ClusterObject[] {
      return clustersFor(ctx.push, ctx.proxy, ctx.outboundClusters);
    },
    endpointTlsMode(push, endpoint) {
      return endpointMtlsDisabled(push, endpoint) ? 'disabled' : undefined;
    },
  };
}

/** Names of the outbound clusters a proxy gets (one per visible service port). */
function outboundClusterNames(push: PushContext, proxy: ProxyInfo): Set<string> {
  const labels = push.proxyLabels(proxy);
  const services = proxy.type === 'sidecar' ? push.sidecarScope({ namespace: proxy.namespace, labels }).services : push.servicesVisibleTo(proxy.namespace);
  return new Set(services.flatMap((s) => s.ports.map((p) => `outbound|${p.port}||${s.hostname}`)));
}

/**
 * Extra clusters a proxy needs for security: one per JWKS host of its
 * RequestAuthentications that is not a service it already has a cluster for.
 * The hooks' `clusters` adds them to translation's output; this is for
 * callers that translate without the hooks.
 */
export function securityClusters(push: PushContext, proxy: ProxyInfo): ClusterObject[] {
  return clustersFor(push, proxy, undefined);
}

function clustersFor(push: PushContext, proxy: ProxyInfo, have: ReadonlySet<string> | undefined): ClusterObject[] {
  if (proxy.proxyless) return [];
  const labels = push.proxyLabels(proxy);
  const policies = push.securityPolicies({ namespace: proxy.namespace, labels }).requestAuthentications;
  if (policies.length === 0) return [];
  const known = have ?? outboundClusterNames(push, proxy);
  return jwksClusters(policies, (name) => known.has(name));
}
