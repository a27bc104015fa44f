// The security seam: PeerAuthentication (inbound transport sockets),
// AuthorizationPolicy (RBAC filters) and RequestAuthentication (jwt_authn)
// plug in here without touching the builders. Each hook receives what it
// needs to decide and returns Envoy objects; translation inserts them at
// Istio's positions (authn/authz HTTP filters before fault, CORS and the
// router; network filters before tcp_proxy or the HCM).
import type { PushContext, ProxyInfo, SecurityPolicies } from '@sextant/pilot-model';
import type { FilterChainObject, FilterObject } from './envoy-types';

export type FilterDirection = 'inbound' | 'outbound' | 'gateway';

export interface FilterHookContext {
  push: PushContext;
  proxy: ProxyInfo;
  direction: FilterDirection;
  /** The port the filter chain serves (workload port for inbound, listener port otherwise). */
  port: number;
  /** Policies selecting this proxy's workload. */
  policies: SecurityPolicies;
}

export interface TranslateHooks {
  /** HTTP filters placed first in an HCM, before fault, CORS and the router (jwt_authn, rbac...). */
  httpFilters?(ctx: FilterHookContext): FilterObject[];
  /** Network filters placed before tcp_proxy or the HCM (network RBAC...). */
  networkFilters?(ctx: FilterHookContext): FilterObject[];
  /**
   * Rewrites the inbound filter chains of one workload port: e.g. STRICT
   * keeps only a TLS chain with a DownstreamTlsContext, PERMISSIVE adds a TLS
   * chain next to plaintext. Receives plaintext chains.
   */
  inboundFilterChains?(ctx: FilterHookContext, chains: FilterChainObject[]): FilterChainObject[];
}

export const NO_HOOKS: TranslateHooks = Object.freeze({});
