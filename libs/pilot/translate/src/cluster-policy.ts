// DestinationRule traffic policy -> Cluster fields: load balancer,
// connection pool (circuit breakers, HTTP protocol options, TCP keepalive),
// outlier detection. Istio's defaults where a field is not set.
import type { ConnectionPoolSettings, LoadBalancerSettings, OutlierDetection } from '@sextant/config-model';
import { isHttp2Protocol, type Protocol } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import type { EnvoyObject } from './envoy-types';
import { FILTER, TYPED } from './type-urls';
import { duration, durationFromMs, durationMs, typed, u32 } from './values';

const MAX_U32 = 0xffffffff;

/** Envoy lb_policy (and extra cluster fields) for Istio LoadBalancerSettings. */
export function loadBalancerFields(ctx: TranslateContext, lb: LoadBalancerSettings | undefined): EnvoyObject {
  const proxyless = ctx.proxy.proxyless;
  const ch = lb?.consistentHash;
  if (ch) {
    if (ch.maglev && !proxyless) return { lbPolicy: 'MAGLEV', ...(ch.maglev.tableSize ? { maglevLbConfig: { tableSize: { value: ch.maglev.tableSize } } } : {}) };
    const min = ch.ringHash?.minimumRingSize ?? ch.minimumRingSize;
    return { lbPolicy: 'RING_HASH', ...(min ? { ringHashLbConfig: { minimumRingSize: { value: String(min) } } } : {}) };
  }
  const simple = lb?.simple ?? 'UNSPECIFIED';
  if (proxyless) {
    // grpc-js-xds accepts ROUND_ROBIN and RING_HASH only.
    if (simple !== 'ROUND_ROBIN' && simple !== 'UNSPECIFIED') ctx.warn(`load balancer ${simple} is not supported by proxyless gRPC; using ROUND_ROBIN`);
    return { lbPolicy: 'ROUND_ROBIN' };
  }
  switch (simple) {
    case 'ROUND_ROBIN':
      return { lbPolicy: 'ROUND_ROBIN' };
    case 'RANDOM':
      return { lbPolicy: 'RANDOM' };
    case 'PASSTHROUGH':
      return { type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' };
    default:
      // Istio's default (UNSPECIFIED, LEAST_CONN, LEAST_REQUEST).
      return { lbPolicy: 'LEAST_REQUEST' };
  }
}

export function defaultThresholds(): EnvoyObject {
  return { maxConnections: u32(MAX_U32), maxPendingRequests: u32(MAX_U32), maxRequests: u32(MAX_U32), maxRetries: u32(MAX_U32), trackRemaining: true };
}

export interface PoolFields {
  connectTimeout: EnvoyObject;
  circuitBreakers: EnvoyObject;
  typedExtensionProtocolOptions?: EnvoyObject;
  upstreamConnectionOptions?: EnvoyObject;
}

/** Connection pool settings -> connect timeout, circuit breakers, HTTP protocol options, TCP keepalive. */
export function connectionPoolFields(ctx: TranslateContext, pool: ConnectionPoolSettings | undefined, protocol: Protocol | undefined, retryBudget?: { percent?: number | null; minRetryConcurrency?: number; budgetInterval?: string }): PoolFields {
  const t = defaultThresholds();
  const http = pool?.http;
  const tcp = pool?.tcp;
  if (http?.http2MaxRequests && http.http2MaxRequests > 0) t['maxRequests'] = u32(http.http2MaxRequests);
  if (http?.http1MaxPendingRequests && http.http1MaxPendingRequests > 0) t['maxPendingRequests'] = u32(http.http1MaxPendingRequests);
  if (http?.maxRetries && http.maxRetries > 0) t['maxRetries'] = u32(http.maxRetries);
  if (tcp?.maxConnections && tcp.maxConnections > 0) t['maxConnections'] = u32(tcp.maxConnections);
  if (retryBudget) {
    t['retryBudget'] = {
      budgetPercent: { value: retryBudget.percent ?? 20 },
      minRetryConcurrency: u32(retryBudget.minRetryConcurrency && retryBudget.minRetryConcurrency > 0 ? retryBudget.minRetryConcurrency : 3),
      ...(retryBudget.budgetInterval ? { budgetInterval: duration(retryBudget.budgetInterval) } : {}),
    };
  }
  const out: PoolFields = {
    connectTimeout: duration(tcp?.connectTimeout) ?? duration(ctx.push.mesh.connectTimeout)!,
    circuitBreakers: { thresholds: [t] },
  };
  const common: EnvoyObject = {};
  const idle = http?.idleTimeout ?? tcp?.idleTimeout;
  if (idle) common['idleTimeout'] = duration(idle);
  if (http?.maxRequestsPerConnection && http.maxRequestsPerConnection > 0) common['maxRequestsPerConnection'] = u32(http.maxRequestsPerConnection);
  if (tcp?.maxConnectionDuration) common['maxConnectionDuration'] = duration(tcp.maxConnectionDuration);
  const upgrade = http?.h2UpgradePolicy === 'UPGRADE' && !http.useClientProtocol;
  const h2 = protocol !== undefined && (isHttp2Protocol(protocol) || upgrade);
  const h2Options: EnvoyObject = {};
  if (http?.maxConcurrentStreams && http.maxConcurrentStreams > 0) h2Options['maxConcurrentStreams'] = u32(http.maxConcurrentStreams);
  if (http?.http2KeepAlive) {
    h2Options['connectionKeepalive'] = {
      ...(http.http2KeepAlive.interval ? { interval: duration(http.http2KeepAlive.interval) } : {}),
      ...(http.http2KeepAlive.timeout ? { timeout: duration(http.http2KeepAlive.timeout) } : { timeout: durationFromMs(20_000) }),
    };
  }
  let protocolConfig: EnvoyObject | undefined;
  if (http?.useClientProtocol) protocolConfig = { useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: h2Options } };
  else if (h2) protocolConfig = { explicitHttpConfig: { http2ProtocolOptions: h2Options } };
  else if (Object.keys(common).length > 0 && protocol !== undefined) protocolConfig = { explicitHttpConfig: { httpProtocolOptions: {} } };
  if (protocolConfig && !ctx.proxy.proxyless) {
    out.typedExtensionProtocolOptions = {
      [FILTER.httpProtocolOptions]: typed(TYPED.httpProtocolOptions, { ...(Object.keys(common).length > 0 ? { commonHttpProtocolOptions: common } : {}), ...protocolConfig }),
    };
  }
  const ka = tcp?.tcpKeepalive;
  if (ka) {
    const secs = (d?: string) => (durationMs(d) !== undefined ? u32(Math.max(1, Math.round(durationMs(d)! / 1000))) : undefined);
    out.upstreamConnectionOptions = {
      tcpKeepalive: {
        ...(ka.probes ? { keepaliveProbes: u32(ka.probes) } : {}),
        ...(secs(ka.time) ? { keepaliveTime: secs(ka.time) } : {}),
        ...(secs(ka.interval) ? { keepaliveInterval: secs(ka.interval) } : {}),
      },
    };
  }
  return out;
}

/** Outlier detection -> Cluster.outlierDetection (+ healthy panic threshold), Istio's mapping. */
export function outlierFields(od: OutlierDetection | undefined): { outlierDetection?: EnvoyObject; healthyPanicThreshold?: number } {
  if (!od) return {};
  const out: EnvoyObject = { enforcingSuccessRate: u32(0) };
  if (od.consecutiveErrors && od.consecutiveErrors > 0) {
    out['consecutiveGatewayFailure'] = u32(od.consecutiveErrors);
    out['enforcingConsecutiveGatewayFailure'] = u32(100);
  }
  if (od.consecutiveGatewayErrors !== undefined && od.consecutiveGatewayErrors !== null) {
    out['consecutiveGatewayFailure'] = u32(od.consecutiveGatewayErrors);
    out['enforcingConsecutiveGatewayFailure'] = u32(od.consecutiveGatewayErrors > 0 ? 100 : 0);
  }
  if (od.consecutive5xxErrors !== undefined && od.consecutive5xxErrors !== null) {
    out['consecutive_5xx'] = u32(od.consecutive5xxErrors);
    out['enforcingConsecutive_5xx'] = u32(od.consecutive5xxErrors > 0 ? 100 : 0);
  }
  if (od.consecutiveLocalOriginFailures !== undefined && od.consecutiveLocalOriginFailures !== null) {
    out['splitExternalLocalOriginErrors'] = true;
    out['consecutiveLocalOriginFailure'] = u32(od.consecutiveLocalOriginFailures);
    out['enforcingConsecutiveLocalOriginFailure'] = u32(100);
  } else if (od.splitExternalLocalOriginErrors) out['splitExternalLocalOriginErrors'] = true;
  if (od.interval) out['interval'] = duration(od.interval);
  if (od.baseEjectionTime) out['baseEjectionTime'] = duration(od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined) out['maxEjectionPercent'] = u32(od.maxEjectionPercent);
  return { outlierDetection: out, healthyPanicThreshold: od.minHealthPercent ?? 0 };
}

/** Envoy's default failure_percentage_threshold: a host failing more than this share of its calls in an interval. */
export const GRPC_FAILURE_PERCENTAGE_THRESHOLD = 85;
/** Hosts with enough calls needed before any is compared (a lone instance is never ejected: nothing to fail over to). */
export const GRPC_FAILURE_PERCENTAGE_MINIMUM_HOSTS = 2;

/**
 * Outlier detection for proxyless gRPC clients. gRPC (A50; grpc-js 1.14)
 * enforces only success-rate and failure-percentage ejection and ignores the
 * consecutive_* fields Istio's mapping uses, so a proxyless client given
 * Envoy's fields never ejects. The DestinationRule maps instead to:
 * - failure-percentage ejection, enforced 100%: a host is ejected when more
 *   than 85% (Envoy's default threshold) of its calls failed in the last
 *   `interval`, it made at least N calls in it (`request_volume`), and at
 *   least 2 hosts made N calls (`minimum_hosts`);
 * - N = the smallest positive consecutive limit of the rule:
 *   consecutive5xxErrors (5 when unset, Envoy's default), consecutiveGatewayErrors,
 *   consecutiveErrors, consecutiveLocalOriginFailures (gRPC counts every
 *   non-OK status as a failure, so they all mean "N failed calls"); all of
 *   them 0: no ejection;
 * - success-rate ejection off (as Istio sets it for Envoy);
 * - interval, baseEjectionTime and maxEjectionPercent unchanged (gRPC ejects
 *   at least one host even below maxEjectionPercent, as Envoy does);
 *   minHealthPercent has no gRPC equivalent (no panic routing).
 */
export function grpcOutlierFields(od: OutlierDetection | undefined): { outlierDetection?: EnvoyObject; healthyPanicThreshold?: number } {
  if (!od) return {};
  const limits = [od.consecutive5xxErrors ?? 5, od.consecutiveGatewayErrors, od.consecutiveErrors, od.consecutiveLocalOriginFailures];
  const positive = limits.filter((n): n is number => typeof n === 'number' && n > 0);
  const out: EnvoyObject = { enforcingSuccessRate: u32(0) };
  if (positive.length > 0) {
    out['enforcingFailurePercentage'] = u32(100);
    out['failurePercentageThreshold'] = u32(GRPC_FAILURE_PERCENTAGE_THRESHOLD);
    out['failurePercentageMinimumHosts'] = u32(GRPC_FAILURE_PERCENTAGE_MINIMUM_HOSTS);
    out['failurePercentageRequestVolume'] = u32(Math.min(...positive));
  }
  if (od.interval) out['interval'] = duration(od.interval);
  if (od.baseEjectionTime) out['baseEjectionTime'] = duration(od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined) out['maxEjectionPercent'] = u32(od.maxEjectionPercent);
  return { outlierDetection: out };
}
