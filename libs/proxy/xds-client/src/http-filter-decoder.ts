// Decoders for the HTTP filters the data plane runs (fault, cors, local
// rate limit, router) and for typed_per_filter_config overrides. Filters are
// recognised by their typed config's type URL, as Envoy does.
import { decodeJwtAuthn } from './jwt-authn-decoder';
import type { HttpFilterConfig } from './listener-types';
import { decodeRbacFilter } from './rbac-decoder';
import { anyTypeUrl, bool, durationMs, fractionalPercent, typeName, u32, unpack, type AnyLike, type DurationLike, type Issues } from './decode-support';
import { decodeHeaderAppends, decodeHeaderMatchers, decodeStringMatch, type HeaderMatcherMsg, type HeaderValueOptionMsg, type StringMatcherMsg } from './matcher-decoder';
import type { CorsPolicyConfig, FaultConfig, LocalRateLimitConfig, PerFilterConfig, StringMatch } from './route-types';

export const HTTP_FILTER_TYPES = {
  router: 'envoy.extensions.filters.http.router.v3.Router',
  fault: 'envoy.extensions.filters.http.fault.v3.HTTPFault',
  cors: 'envoy.extensions.filters.http.cors.v3.Cors',
  corsPolicy: 'envoy.extensions.filters.http.cors.v3.CorsPolicy',
  localRateLimit: 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
  filterConfig: 'envoy.config.route.v3.FilterConfig',
  rbac: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  rbacPerRoute: 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
  jwtAuthn: 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
  jwtPerRoute: 'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
} as const;

/**
 * Filters whose job the proxy does natively (Istio's telemetry and metadata
 * exchange, gRPC stats, ALPN override): accepted and skipped.
 */
const NATIVE_FILTER_TYPES = new Set([
  'io.istio.http.peer_metadata.Config',
  'istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig',
  'stats.PluginConfig',
  'envoy.extensions.filters.http.grpc_stats.v3.FilterConfig',
  'udpa.type.v1.TypedStruct',
  'xds.type.v3.TypedStruct',
]);
const NATIVE_FILTER_NAMES = new Set(['istio.metadata_exchange', 'istio.stats', 'istio.alpn', 'envoy.filters.http.grpc_stats']);

interface RuntimeFractionMsg {
  defaultValue: { numerator: number; denominator: string | number } | null;
}

interface FaultMsg {
  delay: { fixedDelay?: DurationLike | null; headerDelay?: object | null; percentage: { numerator: number; denominator: string } | null; faultDelaySecifier?: string } | null;
  abort: {
    httpStatus?: number;
    grpcStatus?: number;
    headerAbort?: object | null;
    percentage: { numerator: number; denominator: string } | null;
    errorType?: string;
  } | null;
  upstreamCluster: string;
  headers: HeaderMatcherMsg[];
  downstreamNodes: string[];
  maxActiveFaults: { value: number } | null;
  responseRateLimit: object | null;
}

export function decodeFault(msg: FaultMsg, path: string, issues: Issues): FaultConfig {
  const out: FaultConfig = { headers: decodeHeaderMatchers(msg.headers, `${path}.headers`, issues), upstreamClusters: [] };
  if (msg.upstreamCluster) out.upstreamClusters.push(msg.upstreamCluster);
  if (msg.downstreamNodes?.length) issues.warn(`${path}.downstreamNodes`, 'ignored: every downstream is subject to the fault');
  if (msg.responseRateLimit) issues.warn(`${path}.responseRateLimit`, 'ignored: response rate limiting is not supported');
  if (msg.maxActiveFaults) out.maxActiveFaults = u32(msg.maxActiveFaults, 0);
  if (msg.delay) {
    const fraction = fractionalPercent(msg.delay.percentage, 1);
    if (msg.delay.faultDelaySecifier === 'headerDelay') out.delay = { fixedMs: 0, fraction, headerControlled: true };
    else {
      const fixedMs = durationMs(msg.delay.fixedDelay ?? null, 0);
      if (fixedMs <= 0) issues.error(`${path}.delay.fixedDelay`, 'must be > 0');
      out.delay = { fixedMs, fraction, headerControlled: false };
    }
  }
  if (msg.abort) {
    const fraction = fractionalPercent(msg.abort.percentage, 1);
    switch (msg.abort.errorType) {
      case 'httpStatus': {
        const s = Number(msg.abort.httpStatus);
        if (!(s >= 200 && s < 600)) issues.error(`${path}.abort.httpStatus`, `status ${s} is not in [200, 600)`);
        out.abort = { httpStatus: s, fraction, headerControlled: false };
        break;
      }
      case 'grpcStatus':
        out.abort = { grpcStatus: Number(msg.abort.grpcStatus), fraction, headerControlled: false };
        break;
      case 'headerAbort':
        out.abort = { fraction, headerControlled: true };
        break;
      default:
        issues.error(`${path}.abort`, 'one of http_status, grpc_status, header_abort is required');
    }
  }
  return out;
}

interface CorsPolicyMsg {
  allowOriginStringMatch: StringMatcherMsg[];
  allowMethods: string;
  allowHeaders: string;
  exposeHeaders: string;
  maxAge: string;
  allowCredentials: { value: boolean } | null;
  filterEnabled: RuntimeFractionMsg | null;
  allowPrivateNetworkAccess: { value: boolean } | null;
  forwardNotMatchingPreflights: { value: boolean } | null;
}

export function decodeCorsPolicy(msg: CorsPolicyMsg, path: string, issues: Issues): CorsPolicyConfig {
  const allowOrigins: StringMatch[] = [];
  (msg.allowOriginStringMatch ?? []).forEach((m, i) => {
    const s = decodeStringMatch(m, `${path}.allowOriginStringMatch[${i}]`, issues);
    if (s) allowOrigins.push(s);
  });
  return {
    allowOrigins,
    allowMethods: msg.allowMethods ?? '',
    allowHeaders: msg.allowHeaders ?? '',
    exposeHeaders: msg.exposeHeaders ?? '',
    maxAge: msg.maxAge ?? '',
    ...(msg.allowCredentials ? { allowCredentials: bool(msg.allowCredentials, false) } : {}),
    enabled: fractionalPercent(msg.filterEnabled?.defaultValue, 1),
    allowPrivateNetworkAccess: bool(msg.allowPrivateNetworkAccess, false),
    forwardNotMatchingPreflights: bool(msg.forwardNotMatchingPreflights, true),
  };
}

interface LocalRateLimitMsg {
  statPrefix: string;
  status: { code: string | number } | null;
  tokenBucket: { maxTokens: number; tokensPerFill: { value: number } | null; fillInterval: DurationLike | null } | null;
  filterEnabled: RuntimeFractionMsg | null;
  filterEnforced: RuntimeFractionMsg | null;
  responseHeadersToAdd: HeaderValueOptionMsg[];
  descriptors: unknown[];
  localRateLimitPerDownstreamConnection: boolean;
}

const HTTP_STATUS_CODES: Record<string, number> = { TooManyRequests: 429, ServiceUnavailable: 503, Forbidden: 403, OK: 200 };

export function decodeLocalRateLimit(msg: LocalRateLimitMsg, path: string, issues: Issues): LocalRateLimitConfig {
  if (msg.descriptors?.length) issues.warn(`${path}.descriptors`, 'ignored: only the default token bucket is enforced');
  if (msg.localRateLimitPerDownstreamConnection) issues.warn(`${path}.localRateLimitPerDownstreamConnection`, 'ignored: buckets are shared by all connections');
  const raw = msg.status?.code;
  const status = raw === undefined || raw === null || raw === 'Empty' || raw === 0 ? 429 : typeof raw === 'number' ? raw : HTTP_STATUS_CODES[raw] ?? 429;
  const out: LocalRateLimitConfig = {
    statPrefix: msg.statPrefix ?? '',
    enabled: fractionalPercent(msg.filterEnabled?.defaultValue, 0),
    enforced: fractionalPercent(msg.filterEnforced?.defaultValue, 0),
    status,
    responseHeadersToAdd: decodeHeaderAppends(msg.responseHeadersToAdd, `${path}.responseHeadersToAdd`, issues),
  };
  if (msg.tokenBucket) {
    const fillIntervalMs = durationMs(msg.tokenBucket.fillInterval, 0);
    if (fillIntervalMs <= 0) issues.error(`${path}.tokenBucket.fillInterval`, 'must be > 0');
    if (!(msg.tokenBucket.maxTokens > 0)) issues.error(`${path}.tokenBucket.maxTokens`, 'must be > 0');
    out.bucket = { maxTokens: Number(msg.tokenBucket.maxTokens), tokensPerFill: u32(msg.tokenBucket.tokensPerFill, 1), fillIntervalMs };
  }
  return out;
}

/** One entry of HttpConnectionManager.http_filters. */
export function decodeHttpFilter(
  f: { name: string; typedConfig?: AnyLike | null; isOptional: boolean; disabled: boolean },
  path: string,
  issues: Issues,
): HttpFilterConfig | undefined {
  const typeUrl = anyTypeUrl(f.typedConfig);
  const type = typeName(typeUrl);
  if (f.disabled) issues.warn(path, `filter ${f.name} is disabled by default; per-route enabling is not supported, so it never runs`);
  switch (type) {
    case HTTP_FILTER_TYPES.router:
      return { kind: 'router', name: f.name };
    case HTTP_FILTER_TYPES.fault: {
      const msg = unpack<FaultMsg>(f.typedConfig, `${path}.typedConfig`, issues);
      return msg ? { kind: 'fault', name: f.name, config: decodeFault(msg, `${path}.typedConfig`, issues) } : undefined;
    }
    case HTTP_FILTER_TYPES.cors:
      return { kind: 'cors', name: f.name };
    case HTTP_FILTER_TYPES.localRateLimit: {
      const msg = unpack<LocalRateLimitMsg>(f.typedConfig, `${path}.typedConfig`, issues);
      return msg ? { kind: 'local-ratelimit', name: f.name, config: decodeLocalRateLimit(msg, `${path}.typedConfig`, issues) } : undefined;
    }
    case HTTP_FILTER_TYPES.rbac: {
      const msg = unpack<Record<string, unknown>>(f.typedConfig, `${path}.typedConfig`, issues);
      return msg ? { kind: 'rbac', name: f.name, config: decodeRbacFilter(msg, `${path}.typedConfig`, issues, false) } : undefined;
    }
    case HTTP_FILTER_TYPES.jwtAuthn: {
      const msg = unpack<Record<string, unknown>>(f.typedConfig, `${path}.typedConfig`, issues);
      return msg ? { kind: 'jwt-authn', name: f.name, config: decodeJwtAuthn(msg, `${path}.typedConfig`, issues) } : undefined;
    }
  }
  if (NATIVE_FILTER_TYPES.has(type) || NATIVE_FILTER_NAMES.has(f.name)) return { kind: 'native', name: f.name, typeUrl };
  if (f.isOptional) {
    issues.warn(path, `optional filter ${f.name} (${type || 'no type'}) is not supported; skipped`);
    return undefined;
  }
  issues.error(path, `HTTP filter ${f.name} (${type || 'no typed_config'}) is not supported`);
  return undefined;
}

/** typed_per_filter_config: keys are filter names, values a filter's config or a FilterConfig wrapper. */
export function decodePerFilterConfig(map: Record<string, AnyLike> | null | undefined, path: string, issues: Issues): PerFilterConfig {
  const out: PerFilterConfig = { disabled: [] };
  for (const [name, any] of Object.entries(map ?? {})) {
    decodeOnePerFilter(name, any, `${path}[${name}]`, issues, out, false);
  }
  return out;
}

function decodeOnePerFilter(name: string, any: AnyLike, path: string, issues: Issues, out: PerFilterConfig, optional: boolean): void {
  const type = typeName(anyTypeUrl(any));
  switch (type) {
    case HTTP_FILTER_TYPES.fault: {
      const msg = unpack<FaultMsg>(any, path, issues);
      if (msg) out.fault = decodeFault(msg, path, issues);
      return;
    }
    case HTTP_FILTER_TYPES.corsPolicy: {
      const msg = unpack<CorsPolicyMsg>(any, path, issues);
      if (msg) out.cors = decodeCorsPolicy(msg, path, issues);
      return;
    }
    case HTTP_FILTER_TYPES.localRateLimit: {
      const msg = unpack<LocalRateLimitMsg>(any, path, issues);
      if (msg) out.localRateLimit = decodeLocalRateLimit(msg, path, issues);
      return;
    }
    case HTTP_FILTER_TYPES.filterConfig: {
      const msg = unpack<{ config: AnyLike | null; isOptional: boolean; disabled: boolean }>(any, path, issues);
      if (!msg) return;
      if (msg.disabled) out.disabled.push(name);
      if (msg.config) decodeOnePerFilter(name, msg.config, `${path}.config`, issues, out, msg.isOptional);
      return;
    }
  }
  if (NATIVE_FILTER_NAMES.has(name) || NATIVE_FILTER_TYPES.has(type)) return;
  if (type === HTTP_FILTER_TYPES.rbacPerRoute || type === HTTP_FILTER_TYPES.jwtPerRoute) {
    issues.error(path, `per-route ${type} for ${name} is not supported (authorization and authentication apply to every route)`);
    return;
  }
  if (optional) issues.warn(path, `optional per-route config ${type} for ${name} is not supported; skipped`);
  else issues.error(path, `per-route config ${type || '(no type)'} for filter ${name} is not supported`);
}
