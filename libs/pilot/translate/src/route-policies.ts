// Per-route policies of a VirtualService HTTP route, Istio's way: retries
// (Istio's default policy when none is given), fault injection (the fault
// filter's per-route config), CORS (the cors filter's per-route config),
// header operations and consistent-hash policies.
import type { ConsistentHashLB, CorsPolicy, Headers, HTTPFaultInjection, HTTPRetry } from '@sextant/config-model';
import type { TranslateContext } from './context';
import type { EnvoyObject, HeaderValueOptionObject, RetryPolicyObject } from './envoy-types';
import { stringMatcher } from './route-match';
import { FILTER, TYPED } from './type-urls';
import { duration, durationMs, fractionPerHundred, fractionPerMillion, typed, u32 } from './values';

export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

const PREVIOUS_HOSTS = { name: FILTER.previousHosts, typedConfig: typed(TYPED.previousHosts) };

/** Envoy RetryPolicy for Istio retries (undefined: retries disabled by attempts <= 0). */
export function retryPolicy(retries: HTTPRetry | undefined, hashing: boolean): RetryPolicyObject | undefined {
  const base: RetryPolicyObject = { retryOn: DEFAULT_RETRY_ON, numRetries: u32(2), hostSelectionRetryMaxAttempts: '5' };
  if (!hashing) base.retryHostPredicate = [PREVIOUS_HOSTS];
  if (!retries) return base;
  if (!retries.attempts || retries.attempts <= 0) return undefined;
  base.numRetries = u32(retries.attempts);
  if (retries.retryOn) {
    const parts = retries.retryOn.split(',').map((s) => s.trim()).filter(Boolean);
    const codes = parts.filter((p) => /^\d+$/.test(p)).map(Number);
    const names = parts.filter((p) => !/^\d+$/.test(p));
    if (codes.length > 0 && !names.includes('retriable-status-codes')) names.push('retriable-status-codes');
    base.retryOn = names.join(',');
    if (codes.length > 0) base.retriableStatusCodes = codes;
  }
  if (retries.perTryTimeout) base.perTryTimeout = duration(retries.perTryTimeout)!;
  if (retries.retryIgnorePreviousHosts === false) delete base.retryHostPredicate;
  else if (retries.retryIgnorePreviousHosts === true) base.retryHostPredicate = [PREVIOUS_HOSTS];
  if (retries.retryRemoteLocalities) {
    base.retryPriority = { name: FILTER.previousPriorities, typedConfig: typed(TYPED.previousPriorities, { updateFrequency: 2 }) };
  }
  if (retries.backoff) base.retryBackOff = { baseInterval: duration(retries.backoff)! };
  return base;
}

const GRPC_STATUS: Record<string, number> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
  DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

/** The fault filter's per-route config (HTTPFault); undefined when nothing translatable is set. */
export function faultConfig(ctx: TranslateContext, fault: HTTPFaultInjection): EnvoyObject | undefined {
  const out: EnvoyObject = {};
  const d = fault.delay;
  if (d) {
    if (d.fixedDelay) {
      const pct = d.percentage ? fractionPerMillion(d.percentage.value ?? 0) : fractionPerHundred(d.percent ?? 0);
      out['delay'] = { fixedDelay: duration(d.fixedDelay), percentage: pct };
    } else ctx.warn('fault delay: only fixedDelay is supported (exponentialDelay is ignored, as in Istio)');
  }
  const a = fault.abort;
  if (a) {
    const pct = fractionPerMillion(a.percentage?.value ?? 0);
    if (a.httpStatus !== undefined) out['abort'] = { httpStatus: a.httpStatus, percentage: pct };
    else if (a.grpcStatus !== undefined) {
      const code = /^\d+$/.test(a.grpcStatus) ? Number(a.grpcStatus) : GRPC_STATUS[a.grpcStatus.toUpperCase()];
      if (code === undefined) ctx.warn(`fault abort: unknown grpcStatus ${a.grpcStatus}`);
      else out['abort'] = { grpcStatus: code, percentage: pct };
    } else ctx.warn('fault abort: only httpStatus and grpcStatus are supported');
  }
  return Object.keys(out).length > 0 ? typed(TYPED.fault, out) : undefined;
}

/** The cors filter's per-route config (CorsPolicy). */
export function corsConfig(cors: CorsPolicy): EnvoyObject {
  const origins = cors.allowOrigins?.length
    ? cors.allowOrigins.map((m) => stringMatcher(m)).filter((m) => m !== undefined)
    : (cors.allowOrigin ?? []).map((o) => ({ exact: o }));
  const out: EnvoyObject = {
    filterEnabled: { defaultValue: { numerator: 100, denominator: 'HUNDRED' } },
    forwardNotMatchingPreflights: { value: cors.unmatchedPreflights !== 'IGNORE' },
  };
  if (origins.length > 0) out['allowOriginStringMatch'] = origins;
  if (cors.allowMethods?.length) out['allowMethods'] = cors.allowMethods.join(',');
  if (cors.allowHeaders?.length) out['allowHeaders'] = cors.allowHeaders.join(',');
  if (cors.exposeHeaders?.length) out['exposeHeaders'] = cors.exposeHeaders.join(',');
  const maxAge = durationMs(cors.maxAge);
  if (maxAge !== undefined) out['maxAge'] = String(Math.floor(maxAge / 1000));
  if (cors.allowCredentials !== undefined && cors.allowCredentials !== null) out['allowCredentials'] = { value: cors.allowCredentials };
  return typed(TYPED.corsPolicy, out);
}

export interface HeaderOps {
  requestHeadersToAdd?: HeaderValueOptionObject[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOptionObject[];
  responseHeadersToRemove?: string[];
  /** `:authority`/`host` set or added: becomes a host rewrite. */
  authority?: string;
}

const internal = (k: string) => k.startsWith(':') || k.toLowerCase() === 'host';
const isAuthority = (k: string) => k.toLowerCase() === ':authority' || k.toLowerCase() === 'host';

function options(map: Record<string, string> | undefined, append: boolean): { opts: HeaderValueOptionObject[]; authority?: string } {
  const opts: HeaderValueOptionObject[] = [];
  let authority: string | undefined;
  for (const k of Object.keys(map ?? {}).sort()) {
    const v = map![k]!;
    if (isAuthority(k)) authority = v;
    if (internal(k)) continue;
    opts.push({ header: { key: k, value: v }, appendAction: append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  return authority !== undefined ? { opts, authority } : { opts };
}

/** Istio Headers -> Envoy header operations (set overwrites, add appends; remove drops pseudo-headers). */
export function headerOps(headers: Headers | undefined): HeaderOps {
  if (!headers) return {};
  const reqSet = options(headers.request?.set, false);
  const reqAdd = options(headers.request?.add, true);
  const respSet = options(headers.response?.set, false);
  const respAdd = options(headers.response?.add, true);
  const out: HeaderOps = {};
  const reqAddAll = [...reqSet.opts, ...reqAdd.opts];
  const respAddAll = [...respSet.opts, ...respAdd.opts];
  if (reqAddAll.length) out.requestHeadersToAdd = reqAddAll;
  if (respAddAll.length) out.responseHeadersToAdd = respAddAll;
  const reqRemove = (headers.request?.remove ?? []).filter((k) => !internal(k));
  const respRemove = (headers.response?.remove ?? []).filter((k) => !internal(k));
  if (reqRemove.length) out.requestHeadersToRemove = reqRemove;
  if (respRemove.length) out.responseHeadersToRemove = respRemove;
  const authority = reqSet.authority ?? reqAdd.authority;
  if (authority !== undefined) out.authority = authority;
  return out;
}

/** Istio ConsistentHashLB -> Envoy RouteAction.HashPolicy. */
export function hashPolicy(ch: ConsistentHashLB | undefined): EnvoyObject | undefined {
  if (!ch) return undefined;
  if (ch.httpHeaderName) return { header: { headerName: ch.httpHeaderName } };
  if (ch.httpCookie) {
    const c = ch.httpCookie;
    return {
      cookie: {
        name: c.name,
        ...(c.path ? { path: c.path } : {}),
        ...(c.ttl ? { ttl: duration(c.ttl) } : {}),
        ...(c.attributes?.length ? { attributes: c.attributes.map((a) => ({ name: a.name, value: a.value ?? '' })) } : {}),
      },
    };
  }
  if (ch.useSourceIp) return { connectionProperties: { sourceIp: true } };
  if (ch.httpQueryParameterName) return { queryParameter: { name: ch.httpQueryParameterName } };
  return undefined;
}

/** Timeout as a Duration, 0s (disabled) when absent, like Istio. */
export function routeTimeout(timeout: string | undefined): EnvoyObject {
  return duration(timeout) ?? { seconds: '0', nanos: 0 };
}

