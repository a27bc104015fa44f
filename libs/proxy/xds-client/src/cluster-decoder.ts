// Cluster decoder: discovery type, load balancing, connection pool limits,
// outlier detection, upstream protocol and transport sockets.
import type { Cluster__Output } from '@sextant/proto';
import { structToJson } from '@sextant/proto';
import type { ClusterConfig, DiscoveryType, IstioServiceRef, LbPolicy, OutlierDetectionConfig, Thresholds } from './cluster-types';
import { anyTypeUrl, bool, durationMs, percent, typeName, u32, u64, unpack, Issues, type AnyLike, type Decoded } from './decode-support';
import { decodeLoadAssignmentInto } from './endpoint-decoder';
import { decodeUpstreamTransportSocket } from './tls-decoder';
import type { TransportSocketMatchConfig } from './tls-types';

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const MAX_U32 = 4_294_967_295;
/** Envoy's defaults when a cluster has no circuit breaker thresholds. */
export const DEFAULT_THRESHOLDS: Thresholds = { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 };

type ThresholdsMsg = NonNullable<Cluster__Output['circuitBreakers']>['thresholds'][number];

function decodeThresholds(list: ThresholdsMsg[] | undefined, path: string, issues: Issues): Thresholds {
  const t = (list ?? []).find((x) => !x.priority || x.priority === 'DEFAULT');
  if ((list ?? []).some((x) => x.priority === 'HIGH')) issues.warn(path, 'HIGH priority thresholds ignored: every request has the default priority');
  if (!t) return { ...DEFAULT_THRESHOLDS };
  const out: Thresholds = {
    maxConnections: Math.min(MAX_U32, u32(t.maxConnections, DEFAULT_THRESHOLDS.maxConnections)),
    maxPendingRequests: u32(t.maxPendingRequests, DEFAULT_THRESHOLDS.maxPendingRequests),
    maxRequests: u32(t.maxRequests, DEFAULT_THRESHOLDS.maxRequests),
    maxRetries: u32(t.maxRetries, DEFAULT_THRESHOLDS.maxRetries),
  };
  if (t.retryBudget) out.retryBudget = { percent: percent(t.retryBudget.budgetPercent, 20), minConcurrency: u32(t.retryBudget.minRetryConcurrency, 3) };
  return out;
}

function decodeOutlier(o: NonNullable<Cluster__Output['outlierDetection']>, path: string, issues: Issues): OutlierDetectionConfig {
  if (u32(o.enforcingSuccessRate, 100) > 0 && o.successRateStdevFactor) issues.warn(path, 'success-rate ejection is not supported; consecutive-failure ejection applies');
  if (o.failurePercentageThreshold) issues.warn(`${path}.failurePercentageThreshold`, 'failure-percentage ejection is not supported');
  const baseEjectionMs = durationMs(o.baseEjectionTime, 30_000);
  return {
    intervalMs: Math.max(1, durationMs(o.interval, 10_000)),
    baseEjectionMs,
    maxEjectionMs: Math.max(baseEjectionMs, durationMs(o.maxEjectionTime, 300_000)),
    maxEjectionPercent: u32(o.maxEjectionPercent, 10),
    consecutive5xx: u32(o.consecutive_5xx, 5),
    enforcingConsecutive5xx: u32(o.enforcingConsecutive_5xx, 100),
    consecutiveGatewayFailure: u32(o.consecutiveGatewayFailure, 5),
    enforcingConsecutiveGatewayFailure: u32(o.enforcingConsecutiveGatewayFailure, 0),
    splitExternalLocalOriginErrors: Boolean(o.splitExternalLocalOriginErrors),
    consecutiveLocalOriginFailure: u32(o.consecutiveLocalOriginFailure, 5),
    enforcingConsecutiveLocalOriginFailure: u32(o.enforcingConsecutiveLocalOriginFailure, 100),
    alwaysEjectOneHost: bool(o.alwaysEjectOneHost, false),
  };
}

interface HttpOptionsMsg {
  commonHttpProtocolOptions: { idleTimeout: { seconds: string; nanos: number } | null; maxRequestsPerConnection: { value: number } | null } | null;
  explicitHttpConfig?: { http2ProtocolOptions?: { maxConcurrentStreams: { value: number } | null } | null; http3ProtocolOptions?: object | null; protocolConfig?: string } | null;
  useDownstreamProtocolConfig?: object | null;
  autoConfig?: object | null;
  upstreamProtocolOptions?: string;
}

function istioServices(metadata: Cluster__Output['metadata']): IstioServiceRef[] {
  const istio = metadata?.filterMetadata?.['istio'];
  if (!istio) return [];
  const services = structToJson(istio as never)['services'];
  if (!Array.isArray(services)) return [];
  return services
    .filter((s): s is Record<string, string> => typeof s === 'object' && s !== null && !Array.isArray(s))
    .map((s) => ({ host: String(s['host'] ?? ''), name: String(s['name'] ?? ''), namespace: String(s['namespace'] ?? '') }));
}

const DISCOVERY: Record<string, DiscoveryType> = { STATIC: 'STATIC', STRICT_DNS: 'STRICT_DNS', LOGICAL_DNS: 'LOGICAL_DNS', EDS: 'EDS', ORIGINAL_DST: 'ORIGINAL_DST' };
const LB: Record<string, LbPolicy> = {
  ROUND_ROBIN: 'ROUND_ROBIN',
  LEAST_REQUEST: 'LEAST_REQUEST',
  RANDOM: 'RANDOM',
  RING_HASH: 'RING_HASH',
  MAGLEV: 'MAGLEV',
  CLUSTER_PROVIDED: 'CLUSTER_PROVIDED',
};

export function decodeCluster(msg: Cluster__Output): Decoded<ClusterConfig> {
  const issues = new Issues();
  const path = `Cluster[${msg.name}]`;
  if (!msg.name) issues.error(`${path}.name`, 'empty cluster name');
  if (msg.clusterDiscoveryType === 'clusterType') issues.error(`${path}.clusterType`, `custom cluster type ${msg.clusterType?.name ?? ''} is not supported`);
  const discovery = DISCOVERY[String(msg.type ?? 'STATIC')];
  if (!discovery) issues.error(`${path}.type`, `discovery type ${String(msg.type)} is not supported`);
  const lbPolicy = LB[String(msg.lbPolicy)] ?? 'ROUND_ROBIN';
  if (msg.lbPolicy === 'LOAD_BALANCING_POLICY_CONFIG' || msg.loadBalancingPolicy) issues.error(`${path}.loadBalancingPolicy`, 'typed load balancing policies are not supported (use lb_policy)');
  if (lbPolicy === 'CLUSTER_PROVIDED' && discovery !== 'ORIGINAL_DST') issues.error(`${path}.lbPolicy`, 'CLUSTER_PROVIDED needs an ORIGINAL_DST cluster');
  if (msg.lbSubsetConfig && msg.lbSubsetConfig.subsetSelectors?.length) issues.warn(`${path}.lbSubsetConfig`, 'ignored: subset load balancing is not supported');
  if (msg.healthChecks?.length) issues.warn(`${path}.healthChecks`, 'ignored: active health checking is not supported (EDS health and outlier detection apply)');
  if (msg.upstreamBindConfig) issues.warn(`${path}.upstreamBindConfig`, 'ignored: upstream connections bind an ephemeral local address');

  // Transport sockets: plaintext or TLS origination, or Istio's auto-mTLS matches per endpoint metadata.
  const tls = decodeUpstreamTransportSocket(msg.transportSocket, `${path}.transportSocket`, issues);
  let transportSocketMatches: TransportSocketMatchConfig[] | undefined;
  if (msg.transportSocketMatches?.length) {
    transportSocketMatches = msg.transportSocketMatches.map((m, i) => {
      const p = `${path}.transportSocketMatches[${i}${m.name ? `:${m.name}` : ''}]`;
      const match: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.match ? structToJson(m.match as never) : {})) match[k] = typeof v === 'string' ? v : JSON.stringify(v);
      return { name: m.name ?? '', match, tls: decodeUpstreamTransportSocket(m.transportSocket, `${p}.transportSocket`, issues) };
    });
  }

  let upstreamProtocol: ClusterConfig['upstreamProtocol'] = msg.http2ProtocolOptions ? 'http2' : 'http1';
  let http2MaxConcurrentStreams = u32(msg.http2ProtocolOptions?.maxConcurrentStreams, 2_147_483_647);
  let idleTimeoutMs = durationMs(msg.commonHttpProtocolOptions?.idleTimeout, 3_600_000);
  let maxRequestsPerConnection = u32(msg.maxRequestsPerConnection, 0) || u32(msg.commonHttpProtocolOptions?.maxRequestsPerConnection, 0);
  for (const [key, any] of Object.entries(msg.typedExtensionProtocolOptions ?? {})) {
    const p = `${path}.typedExtensionProtocolOptions[${key}]`;
    if (typeName(anyTypeUrl(any as AnyLike)) !== HTTP_OPTIONS) {
      issues.warn(p, `protocol options ${typeName(anyTypeUrl(any as AnyLike))} ignored`);
      continue;
    }
    const opts = unpack<HttpOptionsMsg>(any as AnyLike, p, issues);
    if (!opts) continue;
    if (opts.commonHttpProtocolOptions?.idleTimeout) idleTimeoutMs = durationMs(opts.commonHttpProtocolOptions.idleTimeout, idleTimeoutMs);
    if (opts.commonHttpProtocolOptions?.maxRequestsPerConnection) maxRequestsPerConnection = u32(opts.commonHttpProtocolOptions.maxRequestsPerConnection, 0);
    switch (opts.upstreamProtocolOptions) {
      case 'explicitHttpConfig':
        if (opts.explicitHttpConfig?.protocolConfig === 'http3ProtocolOptions') issues.error(`${p}.explicitHttpConfig`, 'HTTP/3 upstreams are not supported');
        upstreamProtocol = opts.explicitHttpConfig?.protocolConfig === 'http2ProtocolOptions' ? 'http2' : 'http1';
        if (opts.explicitHttpConfig?.http2ProtocolOptions?.maxConcurrentStreams) http2MaxConcurrentStreams = u32(opts.explicitHttpConfig.http2ProtocolOptions.maxConcurrentStreams, http2MaxConcurrentStreams);
        break;
      case 'useDownstreamProtocolConfig':
        upstreamProtocol = 'downstream';
        break;
      case 'autoConfig':
        issues.warn(`${p}.autoConfig`, 'ALPN-based protocol selection is not supported; HTTP/1.1 is used');
        upstreamProtocol = 'http1';
    }
  }
  if (msg.protocolSelection === 'USE_DOWNSTREAM_PROTOCOL') upstreamProtocol = 'downstream';

  const value: ClusterConfig = {
    name: msg.name,
    discovery: discovery ?? 'STATIC',
    edsServiceName: msg.edsClusterConfig?.serviceName || msg.name,
    lbPolicy,
    ringHash: { minRingSize: u64(msg.ringHashLbConfig?.minimumRingSize, 1024), maxRingSize: u64(msg.ringHashLbConfig?.maximumRingSize, 8 * 1024 * 1024) },
    leastRequestChoiceCount: Math.max(2, u32(msg.leastRequestLbConfig?.choiceCount, 2)),
    connectTimeoutMs: durationMs(msg.connectTimeout, 5_000),
    thresholds: decodeThresholds(msg.circuitBreakers?.thresholds, `${path}.circuitBreakers`, issues),
    maxRequestsPerConnection,
    healthyPanicThreshold: percent(msg.commonLbConfig?.healthyPanicThreshold, 50),
    localityWeighted: msg.commonLbConfig?.localityConfigSpecifier === 'localityWeightedLbConfig',
    upstreamProtocol,
    http2MaxConcurrentStreams,
    idleTimeoutMs,
    originalDst: {
      useHttpHeader: Boolean(msg.originalDstLbConfig?.useHttpHeader),
      headerName: (msg.originalDstLbConfig?.httpHeaderName || 'x-envoy-original-dst-host').toLowerCase(),
      ...(msg.originalDstLbConfig?.upstreamPortOverride ? { portOverride: u32(msg.originalDstLbConfig.upstreamPortOverride, 0) } : {}),
    },
    dnsRefreshMs: durationMs(msg.dnsRefreshRate, 5_000),
    dnsFamily: (['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL'] as const).find((f) => f === msg.dnsLookupFamily) ?? 'AUTO',
    istioServices: istioServices(msg.metadata),
  };
  if (tls) value.tls = tls;
  if (transportSocketMatches) value.transportSocketMatches = transportSocketMatches;
  if (msg.ringHashLbConfig && value.ringHash.minRingSize > value.ringHash.maxRingSize) issues.error(`${path}.ringHashLbConfig`, 'minimum_ring_size exceeds maximum_ring_size');
  if (msg.outlierDetection) value.outlierDetection = decodeOutlier(msg.outlierDetection, `${path}.outlierDetection`, issues);
  if (discovery === 'EDS') {
    const source = msg.edsClusterConfig?.edsConfig;
    if (source && !source.ads && source.configSourceSpecifier !== 'ads' && source.configSourceSpecifier !== 'self') {
      issues.error(`${path}.edsClusterConfig.edsConfig`, `only ADS (or self) config sources are supported, got ${source.configSourceSpecifier ?? '(none)'}`);
    }
  } else if (discovery === 'STATIC' || discovery === 'STRICT_DNS' || discovery === 'LOGICAL_DNS') {
    // A STATIC cluster with no load_assignment is a cluster with no hosts (Istio's BlackHoleCluster), as Envoy accepts it.
    if (!msg.loadAssignment && discovery === 'STATIC') value.loadAssignment = decodeLoadAssignmentInto({ clusterName: msg.name, endpoints: [], policy: null, namedEndpoints: {} }, `${path}.loadAssignment`, issues);
    else if (!msg.loadAssignment) issues.error(`${path}.loadAssignment`, `${discovery} clusters need a load_assignment`);
    else value.loadAssignment = decodeLoadAssignmentInto({ ...msg.loadAssignment, clusterName: msg.loadAssignment.clusterName || msg.name }, `${path}.loadAssignment`, issues);
  } else if (discovery === 'ORIGINAL_DST' && lbPolicy !== 'CLUSTER_PROVIDED' && msg.lbPolicy !== 'ROUND_ROBIN') {
    issues.error(`${path}.lbPolicy`, 'ORIGINAL_DST clusters need lb_policy CLUSTER_PROVIDED');
  }
  return issues.result(value);
}
