// Plain internal cluster, endpoint and secret types.
import type { TransportSocketMatchConfig, UpstreamTlsConfig } from './tls-types';

export type DiscoveryType = 'EDS' | 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'ORIGINAL_DST';
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV' | 'CLUSTER_PROVIDED';
export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';

export interface Thresholds {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  /** Envoy's retry budget: when set it replaces maxRetries. */
  retryBudget?: { percent: number; minConcurrency: number };
}

export interface OutlierDetectionConfig {
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
  consecutive5xx: number;
  enforcingConsecutive5xx: number;
  consecutiveGatewayFailure: number;
  enforcingConsecutiveGatewayFailure: number;
  splitExternalLocalOriginErrors: boolean;
  consecutiveLocalOriginFailure: number;
  enforcingConsecutiveLocalOriginFailure: number;
  alwaysEjectOneHost: boolean;
}

/** The Istio service a cluster serves (cluster metadata filter_metadata.istio.services). */
export interface IstioServiceRef {
  host: string;
  name: string;
  namespace: string;
}

export interface ClusterConfig {
  name: string;
  discovery: DiscoveryType;
  /** EDS resource name (eds_cluster_config.service_name, else the cluster name). */
  edsServiceName: string;
  /** For STATIC and DNS clusters. */
  loadAssignment?: LoadAssignment;
  lbPolicy: LbPolicy;
  ringHash: { minRingSize: number; maxRingSize: number };
  leastRequestChoiceCount: number;
  connectTimeoutMs: number;
  thresholds: Thresholds;
  /** 0: unlimited. */
  maxRequestsPerConnection: number;
  outlierDetection?: OutlierDetectionConfig;
  healthyPanicThreshold: number;
  localityWeighted: boolean;
  upstreamProtocol: 'http1' | 'http2' | 'downstream';
  http2MaxConcurrentStreams: number;
  /** Upstream connection idle timeout; 0: none. */
  idleTimeoutMs: number;
  originalDst: { useHttpHeader: boolean; headerName: string; portOverride?: number };
  dnsRefreshMs: number;
  dnsFamily: 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  /** The cluster's transport socket: TLS origination, or undefined for plaintext. */
  tls?: UpstreamTlsConfig;
  /** transport_socket_matches (auto mTLS), tried in order against each endpoint's envoy.transport_socket_match metadata; `tls` applies when none matches. */
  transportSocketMatches?: TransportSocketMatchConfig[];
  istioServices: IstioServiceRef[];
}

export interface EndpointConfig {
  /** IP address or DNS name. */
  host: string;
  port: number;
  health: HealthStatus;
  weight: number;
  hostname: string;
  /** Istio's workload metadata "name;namespace;canonical-service;revision;cluster", or "". */
  workload: string;
  /** filter_metadata["envoy.transport_socket_match"] (e.g. {tlsMode: "istio"}), when present. */
  socketMatch?: Record<string, string>;
}

export interface LocalityEndpoints {
  locality: { region: string; zone: string; subZone: string };
  priority: number;
  /** Locality weight; 0 when unset. */
  weight: number;
  endpoints: EndpointConfig[];
}

export interface LoadAssignment {
  clusterName: string;
  localities: LocalityEndpoints[];
  overprovisioningFactor: number;
}

export interface SecretConfig {
  name: string;
  kind: 'tls-certificate' | 'validation-context' | 'other';
  certificateChain?: string;
  privateKey?: string;
  trustedCa?: string;
}
