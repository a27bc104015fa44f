// The security seam: PeerAuthentication (inbound transport sockets),
// AuthorizationPolicy (RBAC filters) and RequestAuthentication (jwt_authn)
// plug in here without touching the builders. Each hook receives what it
// needs to decide and returns Envoy objects; translation inserts them at
// Istio's positions (authn/authz HTTP filters before fault, CORS and the
// router; network filters before tcp_proxy or the HCM). Hooks report
// problems through `warn` (they land in ProxyConfig.warnings); SDS secret
// names in the chains they return are collected into ProxyConfig.secrets.
import type { PushContext, ProxyInfo, SecurityPolicies, ServiceEndpoint } from '@sextant/pilot-model';
import type { ClusterObject, FilterChainObject, FilterObject } from './envoy-types';

export type FilterDirection = 'inbound' | 'outbound' | 'gateway';

export interface FilterHookContext {
  push: PushContext;
  proxy: ProxyInfo;
  direction: FilterDirection;
  /** The port the filter chain serves (workload port for inbound, listener port otherwise; 0 for the inbound passthrough chain). */
  port: number;
  /** Policies selecting this proxy's workload. */
  policies: SecurityPolicies;
  /** Adds a warning to this proxy's translation output (deduplicated). */
  warn?(message: string): void;
}

export interface ClusterHookContext {
  push: PushContext;
  proxy: ProxyInfo;
  /** Outbound cluster names translation emits for this proxy (a hook must not emit these again). */
  outboundClusters: ReadonlySet<string>;
  warn(message: string): void;
}

export interface TranslateHooks {
  /** HTTP filters placed first in an HCM, before fault, CORS and the router (jwt_authn, rbac...). */
  httpFilters?(ctx: FilterHookContext): FilterObject[];
  /** Network filters placed before tcp_proxy or the HCM (network RBAC...). */
  networkFilters?(ctx: FilterHookContext): FilterObject[];
  /**
   * Rewrites the inbound filter chains of one workload port: e.g. STRICT
   * keeps only a TLS chain with a DownstreamTlsContext, PERMISSIVE adds a TLS
   * chain next to plaintext. Receives plaintext chains. Also called for the
   * passthrough chain `virtualInbound-catchall` (port 0: ports the workload
   * does not declare).
   */
  inboundFilterChains?(ctx: FilterHookContext, chains: FilterChainObject[]): FilterChainObject[];
  /** Extra clusters for sidecars and gateways (e.g. JWKS hosts); names must not collide with translation's. */
  clusters?(ctx: ClusterHookContext): ClusterObject[];
  /**
   * The `tlsMode` EDS metadata of an endpoint (client-side auto mTLS reads
   * it): e.g. `disabled` for a workload whose PeerAuthentication is DISABLE.
   * Undefined keeps the registry's value.
   */
  endpointTlsMode?(push: PushContext, endpoint: ServiceEndpoint): ServiceEndpoint['tlsMode'] | undefined;
}

export const NO_HOOKS: TranslateHooks = Object.freeze({});
