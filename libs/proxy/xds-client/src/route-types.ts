// Plain internal route types: what the data plane needs from Envoy's
// RouteConfiguration, validated and with defaults applied. No protobuf
// shapes leak past the decoders.

/** A string matcher (envoy.type.matcher.v3.StringMatcher). */
export type StringMatch =
  | { kind: 'exact' | 'prefix' | 'suffix' | 'contains'; value: string; ignoreCase: boolean }
  | { kind: 'regex'; regex: string };

export interface HeaderMatcherConfig {
  /** Lower-case header name (":authority", ":method", ":path" allowed). */
  name: string;
  match: StringMatch | { kind: 'present'; present: boolean } | { kind: 'range'; start: number; end: number };
  invert: boolean;
  treatMissingAsEmpty: boolean;
}

export interface QueryParamMatcherConfig {
  name: string;
  match: StringMatch | { kind: 'present' };
}

export type PathMatch =
  | { kind: 'prefix'; value: string }
  | { kind: 'path'; value: string }
  | { kind: 'separated'; value: string }
  | { kind: 'regex'; regex: string }
  | { kind: 'connect' };

export interface RouteMatchConfig {
  path: PathMatch;
  caseSensitive: boolean;
  headers: HeaderMatcherConfig[];
  queryParameters: QueryParamMatcherConfig[];
  /** Fraction of requests (0..1) the route matches, from runtime_fraction's default. */
  runtimeFraction?: number;
  /** Only gRPC requests (content-type application/grpc*). */
  grpc: boolean;
}

/** header_value_option: append (add another value) or overwrite. */
export interface HeaderAppend {
  name: string;
  value: string;
  action: 'append' | 'overwrite' | 'add-if-absent' | 'overwrite-if-exists';
  keepEmpty: boolean;
}

export interface HeaderOps {
  requestAdd: HeaderAppend[];
  requestRemove: string[];
  responseAdd: HeaderAppend[];
  responseRemove: string[];
}

export interface RetryPolicyConfig {
  /** retry_on conditions, e.g. "5xx", "gateway-error", "connect-failure", "retriable-status-codes", "unavailable". */
  retryOn: string[];
  numRetries: number;
  /** 0: no per-try timeout (the route timeout applies). */
  perTryTimeoutMs: number;
  perTryIdleTimeoutMs: number;
  retriableStatusCodes: number[];
  backoff: { baseMs: number; maxMs: number };
  retriableHeaders: HeaderMatcherConfig[];
  retriableRequestHeaders: HeaderMatcherConfig[];
  /** Names of retry host predicates, e.g. "envoy.retry_host_predicates.previous_hosts". */
  hostPredicates: string[];
  hostSelectionMaxAttempts: number;
}

export interface MirrorPolicyConfig {
  cluster: string;
  /** 0..1 of requests mirrored. */
  fraction: number;
}

export type HashPolicyConfig = (
  | { kind: 'header'; name: string }
  | { kind: 'cookie'; name: string; ttlMs?: number; path: string }
  | { kind: 'source-ip' }
  | { kind: 'query'; name: string }
) & { terminal: boolean };

/** Fault injection (envoy.extensions.filters.http.fault.v3.HTTPFault). */
export interface FaultConfig {
  delay?: { fixedMs: number; fraction: number; headerControlled: boolean };
  abort?: { httpStatus?: number; grpcStatus?: number; fraction: number; headerControlled: boolean };
  headers: HeaderMatcherConfig[];
  maxActiveFaults?: number;
  /** Only requests to these upstream clusters. */
  upstreamClusters: string[];
}

export interface CorsPolicyConfig {
  allowOrigins: StringMatch[];
  allowMethods: string;
  allowHeaders: string;
  exposeHeaders: string;
  maxAge: string;
  allowCredentials?: boolean;
  /** 0..1: fraction of requests the policy is enforced for. */
  enabled: number;
  allowPrivateNetworkAccess: boolean;
  forwardNotMatchingPreflights: boolean;
}

/** Local rate limit (envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit). */
export interface LocalRateLimitConfig {
  statPrefix: string;
  /** Undefined: the filter is present but has no bucket (pass everything). */
  bucket?: { maxTokens: number; tokensPerFill: number; fillIntervalMs: number };
  enabled: number;
  enforced: number;
  status: number;
  responseHeadersToAdd: HeaderAppend[];
}

/** typed_per_filter_config, decoded for the filters the data plane runs. */
export interface PerFilterConfig {
  fault?: FaultConfig;
  cors?: CorsPolicyConfig;
  localRateLimit?: LocalRateLimitConfig;
  /** Filter names disabled here (envoy.config.route.v3.FilterConfig.disabled). */
  disabled: string[];
}

export type ClusterSpecifier =
  | { kind: 'cluster'; name: string }
  | { kind: 'weighted'; clusters: WeightedClusterConfig[]; total: number }
  | { kind: 'header'; header: string };

export interface WeightedClusterConfig {
  name: string;
  weight: number;
  headers: HeaderOps;
  perFilter: PerFilterConfig;
  hostRewrite?: string;
}

export interface RouteActionConfig {
  kind: 'route';
  cluster: ClusterSpecifier;
  clusterNotFoundCode: number;
  prefixRewrite?: string;
  regexRewrite?: { regex: string; substitution: string };
  hostRewrite?: { kind: 'literal'; value: string } | { kind: 'auto' } | { kind: 'header'; header: string };
  /** 0: no timeout. Envoy's default is 15 s when the field is unset. */
  timeoutMs: number;
  idleTimeoutMs: number;
  retryPolicy?: RetryPolicyConfig;
  mirrors: MirrorPolicyConfig[];
  hashPolicy: HashPolicyConfig[];
  /** Upgrade types enabled (true) or disabled (false) on this route. */
  upgrades: Record<string, boolean>;
  maxGrpcTimeoutMs?: number;
  grpcTimeoutOffsetMs: number;
  /** Legacy cors field on the action (deprecated in Envoy, still sent by some control planes). */
  cors?: CorsPolicyConfig;
}

export interface RedirectActionConfig {
  kind: 'redirect';
  scheme?: string;
  host?: string;
  port?: number;
  path?: { kind: 'path'; value: string } | { kind: 'prefix'; value: string } | { kind: 'regex'; regex: string; substitution: string };
  status: number;
  stripQuery: boolean;
}

export interface DirectResponseConfig {
  kind: 'direct';
  status: number;
  body?: string;
}

export interface NonForwardingConfig {
  kind: 'non-forwarding';
}

export interface RouteEntryConfig {
  name: string;
  match: RouteMatchConfig;
  action: RouteActionConfig | RedirectActionConfig | DirectResponseConfig | NonForwardingConfig;
  headers: HeaderOps;
  perFilter: PerFilterConfig;
  /** Decorator operation, for traces and access logs. */
  operation?: string;
}

export interface VirtualHostConfig {
  name: string;
  domains: string[];
  routes: RouteEntryConfig[];
  headers: HeaderOps;
  retryPolicy?: RetryPolicyConfig;
  perFilter: PerFilterConfig;
  cors?: CorsPolicyConfig;
  mirrors: MirrorPolicyConfig[];
  includeRequestAttemptCount: boolean;
  includeAttemptCountInResponse: boolean;
  /** Plaintext requests get a 301 to https (ALL), or only external ones (EXTERNAL_ONLY: not marked x-envoy-internal). */
  requireTls?: 'ALL' | 'EXTERNAL_ONLY';
}

export interface RouteConfig {
  name: string;
  virtualHosts: VirtualHostConfig[];
  headers: HeaderOps;
  perFilter: PerFilterConfig;
  ignorePortInHostMatching: boolean;
  mirrors: MirrorPolicyConfig[];
  internalOnlyHeaders: string[];
  /** Its virtual hosts come by VHDS as well (resources `<name>/<host>`), merged after its own. */
  vhds?: boolean;
}

export const EMPTY_HEADER_OPS: HeaderOps = Object.freeze({ requestAdd: [], requestRemove: [], responseAdd: [], responseRemove: [] }) as HeaderOps;
export const EMPTY_PER_FILTER: PerFilterConfig = Object.freeze({ disabled: [] }) as PerFilterConfig;
