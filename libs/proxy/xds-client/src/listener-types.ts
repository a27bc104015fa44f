// Plain internal listener types: listeners, filter chains and the two network
// filters the data plane runs (HTTP connection manager, TCP proxy).
import type { DownstreamTlsConfig } from './tls-types';
import type { RbacFilterConfig } from '@sextant/policy';
import type { JwtAuthnFilterConfig } from './jwt-authn-decoder';
import type { HeaderOps, LocalRateLimitConfig, FaultConfig, CorsPolicyConfig, RouteConfig } from './route-types';

export interface SocketAddr {
  host: string;
  port: number;
}

export interface CidrRange {
  prefix: string;
  len: number;
}

export interface FilterChainMatchConfig {
  destinationPort?: number;
  prefixRanges: CidrRange[];
  serverNames: string[];
  /** "" (any), "raw_buffer" or "tls". */
  transportProtocol: string;
  applicationProtocols: string[];
  directSourcePrefixRanges: CidrRange[];
  sourceType: 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';
  sourcePrefixRanges: CidrRange[];
  sourcePorts: number[];
}

export type HttpFilterConfig =
  | { kind: 'router'; name: string }
  | { kind: 'fault'; name: string; config: FaultConfig }
  | { kind: 'cors'; name: string }
  | { kind: 'local-ratelimit'; name: string; config: LocalRateLimitConfig }
  /** envoy.filters.http.rbac (one per stage: custom, audit, deny, allow). */
  | { kind: 'rbac'; name: string; config: RbacFilterConfig }
  | { kind: 'jwt-authn'; name: string; config: JwtAuthnFilterConfig }
  /** A telemetry-only filter (Istio stats, metadata exchange) the proxy does natively. */
  | { kind: 'native'; name: string; typeUrl: string };

export interface HttpConnectionManagerConfig {
  kind: 'http';
  statPrefix: string;
  codec: 'AUTO' | 'HTTP1' | 'HTTP2';
  routes: { kind: 'rds'; name: string } | { kind: 'inline'; config: RouteConfig };
  httpFilters: HttpFilterConfig[];
  useRemoteAddress: boolean;
  xffNumTrustedHops: number;
  skipXffAppend: boolean;
  generateRequestId: boolean;
  preserveExternalRequestId: boolean;
  alwaysSetRequestIdInResponse: boolean;
  /** Lower-case upgrade types allowed, e.g. ["websocket"]. */
  upgrades: string[];
  streamIdleTimeoutMs: number;
  /** 0: none. */
  requestTimeoutMs: number;
  requestHeadersTimeoutMs: number;
  /** Connection idle timeout (common_http_protocol_options.idle_timeout); 0: none. */
  idleTimeoutMs: number;
  maxRequestsPerConnection: number;
  drainTimeoutMs: number;
  normalizePath: boolean;
  mergeSlashes: boolean;
  stripAnyHostPort: boolean;
  serverName: string;
  serverHeader: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  /** True when the HCM configures any access log. */
  accessLog: boolean;
  via: string;
}

export interface TcpProxyConfig {
  kind: 'tcp';
  statPrefix: string;
  cluster: { kind: 'cluster'; name: string } | { kind: 'weighted'; clusters: { name: string; weight: number }[]; total: number };
  idleTimeoutMs: number;
  maxConnectAttempts: number;
  maxConnectionDurationMs: number;
  accessLog: boolean;
  /** envoy.filters.network.rbac filters before the TCP proxy on its chain, in order (name, config). */
  rbac?: { name: string; config: RbacFilterConfig }[];
}

export interface FilterChainConfig {
  name: string;
  match: FilterChainMatchConfig;
  filter: HttpConnectionManagerConfig | TcpProxyConfig;
  /** The chain terminates TLS (DownstreamTlsContext); undefined: plaintext (or TLS passed through as bytes). */
  tls?: DownstreamTlsConfig;
}

export interface ListenerConfig {
  name: string;
  address: SocketAddr;
  bindToPort: boolean;
  useOriginalDst: boolean;
  direction: 'INBOUND' | 'OUTBOUND' | 'UNSPECIFIED';
  filterChains: FilterChainConfig[];
  defaultFilterChain?: FilterChainConfig;
  /** Listener filter names, e.g. envoy.filters.listener.http_inspector. */
  listenerFilters: string[];
  /** 0: no limit on how long listener filters wait for the first bytes. */
  listenerFiltersTimeoutMs: number;
  continueOnListenerFiltersTimeout: boolean;
  accessLog: boolean;
}

export type { HeaderOps, CorsPolicyConfig };
