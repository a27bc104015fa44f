// The Envoy v3 resources translation emits, in protobufjs object form
// (camelCase fields, enum names, Duration as { seconds, nanos }, wrappers as
// { value }, Any as { '@type', ...fields }). Typed only as far as the code
// that reads them back (consistency checks, the simulator) needs; every
// object also encodes under Envoy's real protos (see the encoding test).

export type EnvoyObject = Record<string, unknown>;

export interface SocketAddressObject {
  socketAddress: { address: string; portValue: number; protocol?: string };
}

export interface FilterObject {
  name: string;
  typedConfig: EnvoyObject & { '@type': string };
}

export interface FilterChainMatchObject {
  destinationPort?: { value: number };
  serverNames?: string[];
  transportProtocol?: string;
  applicationProtocols?: string[];
  prefixRanges?: { addressPrefix: string; prefixLen: { value: number } }[];
}

export interface FilterChainObject {
  name?: string;
  filterChainMatch?: FilterChainMatchObject;
  filters: FilterObject[];
  transportSocket?: EnvoyObject;
  [k: string]: unknown;
}

export interface ListenerObject {
  name: string;
  address?: SocketAddressObject;
  filterChains?: FilterChainObject[];
  defaultFilterChain?: FilterChainObject;
  listenerFilters?: FilterObject[];
  useOriginalDst?: { value: boolean };
  bindToPort?: { value: boolean };
  trafficDirection?: 'INBOUND' | 'OUTBOUND' | 'UNSPECIFIED';
  apiListener?: { apiListener: EnvoyObject & { '@type': string } };
  [k: string]: unknown;
}

export interface StringMatcherObject {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safeRegex?: { regex: string };
  ignoreCase?: boolean;
}

export interface HeaderMatcherObject {
  name: string;
  stringMatch?: StringMatcherObject;
  presentMatch?: boolean;
  invertMatch?: boolean;
  treatMissingHeaderAsEmpty?: boolean;
}

export interface QueryParameterMatcherObject {
  name: string;
  stringMatch?: StringMatcherObject;
  presentMatch?: boolean;
}

export interface RouteMatchObject {
  prefix?: string;
  path?: string;
  safeRegex?: { regex: string };
  caseSensitive?: { value: boolean };
  headers?: HeaderMatcherObject[];
  queryParameters?: QueryParameterMatcherObject[];
}

export interface HeaderValueOptionObject {
  header: { key: string; value: string };
  appendAction: 'APPEND_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS';
}

export interface ClusterWeightObject {
  name: string;
  weight: { value: number };
  requestHeadersToAdd?: HeaderValueOptionObject[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOptionObject[];
  responseHeadersToRemove?: string[];
  hostRewriteLiteral?: string;
}

export interface RetryPolicyObject {
  retryOn: string;
  numRetries: { value: number };
  perTryTimeout?: EnvoyObject;
  retriableStatusCodes?: number[];
  retryHostPredicate?: FilterObject[];
  hostSelectionRetryMaxAttempts?: string;
  retryPriority?: FilterObject;
  retryBackOff?: { baseInterval: EnvoyObject };
}

export interface RouteActionObject {
  cluster?: string;
  weightedClusters?: { clusters: ClusterWeightObject[] };
  timeout?: { seconds: string; nanos: number };
  maxStreamDuration?: EnvoyObject;
  maxGrpcTimeout?: EnvoyObject;
  retryPolicy?: RetryPolicyObject;
  prefixRewrite?: string;
  regexRewrite?: { pattern: { regex: string }; substitution: string };
  hostRewriteLiteral?: string;
  requestMirrorPolicies?: { cluster: string; runtimeFraction: { defaultValue: { numerator: number; denominator: string } }; traceSampled?: { value: boolean } }[];
  hashPolicy?: EnvoyObject[];
  [k: string]: unknown;
}

export interface RouteObject {
  name?: string;
  match: RouteMatchObject;
  route?: RouteActionObject;
  redirect?: EnvoyObject;
  directResponse?: { status: number; body?: EnvoyObject };
  decorator?: { operation: string };
  typedPerFilterConfig?: Record<string, EnvoyObject & { '@type': string }>;
  requestHeadersToAdd?: HeaderValueOptionObject[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOptionObject[];
  responseHeadersToRemove?: string[];
  [k: string]: unknown;
}

export interface VirtualHostObject {
  name: string;
  domains: string[];
  routes: RouteObject[];
  requireTls?: 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
  includeRequestAttemptCount?: boolean;
  [k: string]: unknown;
}

export interface RouteConfigurationObject {
  name: string;
  virtualHosts: VirtualHostObject[];
  validateClusters?: { value: boolean };
  [k: string]: unknown;
}

export interface ClusterObject {
  name: string;
  type?: 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
  lbPolicy?: string;
  [k: string]: unknown;
}

export interface LbEndpointObject {
  endpoint: { address: SocketAddressObject };
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' | 'DRAINING';
  loadBalancingWeight: { value: number };
  metadata?: EnvoyObject;
}

export interface LocalityLbEndpointsObject {
  locality: { region?: string; zone?: string; subZone?: string };
  lbEndpoints: LbEndpointObject[];
  loadBalancingWeight: { value: number };
  priority?: number;
}

export interface ClusterLoadAssignmentObject {
  clusterName: string;
  endpoints: LocalityLbEndpointsObject[];
  [k: string]: unknown;
}

/** Everything one proxy gets, each list sorted by name. */
export interface ProxyConfig {
  listeners: ListenerObject[];
  routes: RouteConfigurationObject[];
  clusters: ClusterObject[];
  endpoints: ClusterLoadAssignmentObject[];
  /** SDS secret names the config refers to (served by the secret generator). */
  secrets: string[];
  /** What could not be translated, for debug pages (never thrown). */
  warnings: string[];
}
