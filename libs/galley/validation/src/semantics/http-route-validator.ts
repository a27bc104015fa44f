// One VirtualService HTTP route: conflicts between actions, match blocks,
// header operations, CORS, faults, mirrors, redirects, rewrites, retries,
// weighted destinations and timeouts, as Istio's validation checks them.
import type { CorsPolicy, HTTPFaultInjection, HTTPMatchRequest, HTTPRoute, HTTPRouteDestination, Headers } from '@sextant/config-model';
import { checkDestination, checkSelectorLabels, checkStringMatch } from '../checks/common';
import {
  checkCorsHeaderName,
  checkHeaderOperationName,
  checkHeaderValue,
  checkMatchHeaderName,
  checkSetRequestHeaderName,
  isAuthorityHeader,
} from '../checks/headers';
import { isDns1123Label } from '../checks/hosts';
import { checkDuration, checkGrpcStatus, checkHttpStatus, checkPercentage, checkPort, checkRegex } from '../checks/values';
import { parseDuration } from '../duration';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath, keyPath } from '../issue';
import { checkGatewayNames, checkRetries } from './route-checks';

const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*']);
const KB = 1024;
const MB = 1024 * KB;

export function checkHeaderOperations(f: Findings, path: string, headers: Headers | undefined): void {
  if (!headers) return;
  const request = at(path, 'request');
  const response = at(path, 'response');
  for (const op of ['add', 'set'] as const) {
    for (const [name, value] of Object.entries(headers.request?.[op] ?? {})) {
      f.check(keyPath(at(request, op), name), 'INVALID_HEADER', checkSetRequestHeaderName(name) ?? checkHeaderValue(value));
    }
    for (const [name, value] of Object.entries(headers.response?.[op] ?? {})) {
      f.check(keyPath(at(response, op), name), 'INVALID_HEADER', checkHeaderOperationName(name) ?? checkHeaderValue(value));
    }
  }
  headers.request?.remove?.forEach((name, i) => f.check(itemPath(at(request, 'remove'), i), 'INVALID_HEADER', checkHeaderOperationName(name)));
  headers.response?.remove?.forEach((name, i) => f.check(itemPath(at(response, 'remove'), i), 'INVALID_HEADER', checkHeaderOperationName(name)));
}

function checkMatch(f: Findings, path: string, match: HTTPMatchRequest): void {
  for (const [name, sm] of Object.entries(match.headers ?? {})) {
    const p = keyPath(at(path, 'headers'), name);
    f.check(p, 'INVALID_HEADER', checkMatchHeaderName(name));
    checkStringMatch(f, p, sm);
  }
  for (const [name, sm] of Object.entries(match.withoutHeaders ?? {})) {
    const p = keyPath(at(path, 'withoutHeaders'), name);
    f.check(p, 'INVALID_HEADER', checkMatchHeaderName(name));
    // `regex: "*"` is not a regex here: it means "header present".
    if (sm.regex !== '*') checkStringMatch(f, p, sm);
  }
  // Envoy allows an empty URI prefix (match everything), not an empty scheme/method/authority prefix.
  checkStringMatch(f, at(path, 'uri'), match.uri, true);
  checkStringMatch(f, at(path, 'scheme'), match.scheme);
  checkStringMatch(f, at(path, 'method'), match.method);
  checkStringMatch(f, at(path, 'authority'), match.authority);
  for (const [name, sm] of Object.entries(match.queryParams ?? {})) checkStringMatch(f, keyPath(at(path, 'queryParams'), name), sm);
  if (match.port !== undefined && match.port !== 0) f.check(at(path, 'port'), 'INVALID_PORT', checkPort(match.port));
  checkSelectorLabels(f, at(path, 'sourceLabels'), match.sourceLabels);
  checkGatewayNames(f, at(path, 'gateways'), match.gateways);
  if (match.sourceNamespace && !isDns1123Label(match.sourceNamespace)) {
    f.error(at(path, 'sourceNamespace'), 'INVALID_VALUE', `sourceNamespace match ${JSON.stringify(match.sourceNamespace)} is invalid`);
  }
}

function checkCors(f: Findings, path: string, cors: CorsPolicy | undefined): void {
  if (!cors) return;
  cors.allowOrigins?.forEach((origin, i) => {
    const p = itemPath(at(path, 'allowOrigins'), i);
    const value = origin.exact ?? origin.prefix ?? origin.regex ?? '';
    if (value === '') f.error(p, 'INVALID_MATCH', `'' is not a valid match type for CORS allow origins`);
    else if (origin.regex !== undefined) f.check(at(p, 'regex'), 'INVALID_REGEX', checkRegex(origin.regex));
  });
  if (cors.allowOrigin !== undefined) f.warn(at(path, 'allowOrigin'), 'DEPRECATED', 'allowOrigin is deprecated; use allowOrigins');
  cors.allowMethods?.forEach((m, i) => {
    if (!CORS_METHODS.has(m)) f.error(itemPath(at(path, 'allowMethods'), i), 'INVALID_VALUE', `${JSON.stringify(m)} is not a supported HTTP method`);
  });
  cors.allowHeaders?.forEach((h, i) => f.check(itemPath(at(path, 'allowHeaders'), i), 'INVALID_HEADER', checkCorsHeaderName(h)));
  cors.exposeHeaders?.forEach((h, i) => f.check(itemPath(at(path, 'exposeHeaders'), i), 'INVALID_HEADER', checkCorsHeaderName(h)));
  if (cors.maxAge !== undefined) {
    const p = at(path, 'maxAge');
    const bad = checkDuration(cors.maxAge);
    if (bad) f.error(p, 'INVALID_DURATION', bad);
    else if ((parseDuration(cors.maxAge) ?? 0n) % 1_000_000_000n !== 0n) f.error(p, 'INVALID_DURATION', 'max_age duration is accurate only to seconds precision');
  }
}

function checkFault(f: Findings, path: string, fault: HTTPFaultInjection | undefined): void {
  if (!fault) return;
  if (!fault.abort && !fault.delay) f.error(path, 'MISSING', 'HTTP fault injection must have an abort and/or a delay');
  const { abort, delay } = fault;
  if (abort) {
    const p = at(path, 'abort');
    if (abort.percentage?.value !== undefined) f.check(at(at(p, 'percentage'), 'value'), 'OUT_OF_RANGE', checkPercentage(abort.percentage.value));
    if (abort.grpcStatus !== undefined) f.check(at(p, 'grpcStatus'), 'INVALID_VALUE', checkGrpcStatus(abort.grpcStatus));
    else if (abort.http2Error !== undefined) f.error(at(p, 'http2Error'), 'INVALID_VALUE', 'HTTP/2 abort fault injection not supported yet');
    else if (abort.httpStatus !== undefined) f.check(at(p, 'httpStatus'), 'OUT_OF_RANGE', checkHttpStatus(abort.httpStatus));
    else f.warn(p, 'SUSPICIOUS', 'abort configured, but error type not set');
  }
  if (delay) {
    const p = at(path, 'delay');
    if (delay.percentage?.value !== undefined) f.check(at(at(p, 'percentage'), 'value'), 'OUT_OF_RANGE', checkPercentage(delay.percentage.value));
    if (delay.percent !== undefined) f.warn(at(p, 'percent'), 'DEPRECATED', 'percent is deprecated; use percentage');
    if (delay.fixedDelay !== undefined) f.check(at(p, 'fixedDelay'), 'INVALID_DURATION', checkDuration(delay.fixedDelay));
    if (delay.exponentialDelay !== undefined) f.error(at(p, 'exponentialDelay'), 'INVALID_VALUE', 'exponentialDelay not supported yet');
  }
}

export function checkRouteDestinations(f: Findings, path: string, routes: readonly Pick<HTTPRouteDestination, 'destination' | 'weight' | 'headers'>[] | undefined): void {
  if (!routes) return;
  let total = 0;
  routes.forEach((route, i) => {
    const p = itemPath(path, i);
    checkHeaderOperations(f, at(p, 'headers'), route.headers);
    checkDestination(f, at(p, 'destination'), route.destination);
    const weight = route.weight ?? 0;
    if (weight < 0) f.error(at(p, 'weight'), 'OUT_OF_RANGE', `must be >= 0 (got ${weight})`);
    total += weight;
  });
  if (routes.length > 1 && total === 0) f.error(path, 'INVALID_VALUE', 'total destination weight = 0');
}

/** `route.mirror_percent` has been renamed before this runs only in the normal form; check both names. */
function checkMirrors(f: Findings, path: string, route: HTTPRoute): void {
  for (const name of ['mirrorPercent', 'mirror_percent'] as const) {
    const value = route[name];
    if (value === undefined || value === null) continue;
    if (value > 100) f.error(at(path, name), 'OUT_OF_RANGE', `mirror_percent must have a max value of 100 (it has ${value})`);
    f.warn(at(path, name), 'DEPRECATED', `using deprecated setting "${name}", use "mirrorPercentage" instead`);
  }
  const pct = route.mirrorPercentage?.value;
  if (pct !== undefined && (pct > 100 || pct < 0)) {
    f.error(at(at(path, 'mirrorPercentage'), 'value'), 'OUT_OF_RANGE', `mirror_percentage must be between 0 and 100 (it has ${pct})`);
  }
  checkDestination(f, at(path, 'mirror'), route.mirror);
  route.mirrors?.forEach((mirror, i) => {
    const p = itemPath(at(path, 'mirrors'), i);
    checkDestination(f, at(p, 'destination'), mirror.destination);
    const v = mirror.percentage?.value;
    if (v !== undefined && (v > 100 || v < 0)) f.error(at(at(p, 'percentage'), 'value'), 'OUT_OF_RANGE', `mirror percentage must be between 0 and 100 (it has ${v})`);
  });
}

function checkConflicts(f: Findings, path: string, route: HTTPRoute, inDelegate: boolean): void {
  if (route.delegate && !inDelegate) {
    const name = route.name ? ` ${route.name}` : '';
    if (route.redirect) f.error(at(path, 'redirect'), 'CONFLICT', `root HTTP route${name} must not specify redirect`);
    if (route.route) f.error(at(path, 'route'), 'CONFLICT', `root HTTP route${name} must not specify route`);
    return;
  }
  if (inDelegate && route.delegate) f.error(at(path, 'delegate'), 'CONFLICT', 'delegate HTTP route cannot contain delegate');
  const hasRoute = (route.route?.length ?? 0) > 0;
  if (route.redirect) {
    if (hasRoute) f.error(path, 'CONFLICT', 'HTTP route cannot contain both route and redirect');
    if (route.fault) f.error(path, 'CONFLICT', 'HTTP route cannot contain both fault and redirect');
    if (route.rewrite) f.error(path, 'CONFLICT', 'HTTP route rule cannot contain both rewrite and redirect');
    if (route.directResponse) f.error(path, 'CONFLICT', 'HTTP route rule cannot contain both direct_response and redirect');
  } else if (route.directResponse) {
    if (hasRoute) f.error(path, 'CONFLICT', 'HTTP route cannot contain both route and direct_response');
    if (route.fault) f.error(path, 'CONFLICT', 'HTTP route cannot contain both fault and direct_response');
    if (route.rewrite) f.error(path, 'CONFLICT', 'HTTP route rule cannot contain both rewrite and direct_response');
  } else if (!hasRoute) {
    f.error(path, 'MISSING', 'HTTP route, redirect or direct_response is required');
  }
  if (route.mirror && (route.mirrors?.length ?? 0) > 0) f.error(path, 'CONFLICT', 'HTTP route cannot contain both mirror and mirrors');
}

function checkRedirectAndRewrite(f: Findings, path: string, route: HTTPRoute): void {
  const redirect = route.redirect;
  if (redirect) {
    const p = at(path, 'redirect');
    if (redirect.uri && redirect.prefixRewrite) f.error(p, 'CONFLICT', 'redirect may only specify one of uri or prefixRewrite');
    else if (redirect.prefixRewrite && route.match?.some((m) => m.uri && m.uri.prefix === undefined)) {
      f.error(at(p, 'prefixRewrite'), 'CONFLICT', 'redirect prefixRewrite requires all URI matches to use prefix match type');
    } else if (!redirect.uri && !redirect.prefixRewrite && !redirect.authority && redirect.port === undefined && redirect.derivePort === undefined && !redirect.scheme) {
      f.error(p, 'MISSING', 'redirect must specify URI, authority, scheme, or port');
    } else if (redirect.redirectCode !== undefined && redirect.redirectCode !== 0 && (redirect.redirectCode < 300 || redirect.redirectCode > 399)) {
      f.error(at(p, 'redirectCode'), 'OUT_OF_RANGE', `${redirect.redirectCode} is not a valid redirect code, must be 3xx`);
    } else if (redirect.scheme && redirect.scheme !== 'http' && redirect.scheme !== 'https') {
      f.error(at(p, 'scheme'), 'INVALID_VALUE', 'invalid redirect scheme, must be "http" or "https"');
    } else if (redirect.port !== undefined && redirect.port > 0) f.check(at(p, 'port'), 'INVALID_PORT', checkPort(redirect.port));
  }
  const rewrite = route.rewrite;
  if (rewrite) {
    const p = at(path, 'rewrite');
    if (rewrite.uri && rewrite.uriRegexRewrite) f.error(p, 'CONFLICT', 'rewrite may only contain one of URI or UriRegexRewrite');
    else if (!rewrite.uri && !rewrite.uriRegexRewrite && !rewrite.authority) {
      f.error(p, 'MISSING', 'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified');
    } else if (rewrite.uriRegexRewrite) {
      const rr = rewrite.uriRegexRewrite;
      if (!rr.match || !rr.rewrite) f.error(at(p, 'uriRegexRewrite'), 'MISSING', 'UriRegexRewrite requires both Rewrite and Match fields to be specified');
      else f.check(at(at(p, 'uriRegexRewrite'), 'match'), 'INVALID_REGEX', checkRegex(rr.match));
    }
  }
  // The authority may be rewritten in one place only.
  let current = rewrite?.authority ?? '';
  for (const op of ['set', 'add'] as const) {
    for (const [name, value] of Object.entries(route.headers?.request?.[op] ?? {})) {
      if (!isAuthorityHeader(name)) continue;
      if (current !== '') {
        f.error(keyPath(at(at(at(path, 'headers'), 'request'), op), name), 'CONFLICT', `authority header cannot be set multiple times: have ${JSON.stringify(current)}, attempting to set ${JSON.stringify(value)}`);
      }
      current = value;
    }
  }
}

function checkDirectResponse(f: Findings, path: string, route: HTTPRoute): void {
  const dr = route.directResponse;
  if (!dr) return;
  const p = at(path, 'directResponse');
  const body = dr.body;
  const size = body?.string !== undefined ? Buffer.byteLength(body.string) : body?.bytes !== undefined ? Math.floor((body.bytes.length * 3) / 4) : 0;
  if (size > MB) f.error(at(p, 'body'), 'TOO_LONG', 'large direct_responses may impact control plane performance, must be less than 1MB');
  else if (size > 100 * KB) f.warn(at(p, 'body'), 'SUSPICIOUS', 'large direct_responses may impact control plane performance');
  f.check(at(p, 'status'), 'OUT_OF_RANGE', checkHttpStatus(dr.status));
}

/** Checks one entry of `spec.http`. `inDelegate`: the VirtualService has no hosts (it is a delegate). */
export function checkHttpRoute(f: Findings, path: string, route: HTTPRoute, inDelegate: boolean): void {
  checkConflicts(f, path, route, inDelegate);
  route.match?.forEach((m, i) => checkMatch(f, itemPath(at(path, 'match'), i), m));
  checkHeaderOperations(f, at(path, 'headers'), route.headers);
  checkCors(f, at(path, 'corsPolicy'), route.corsPolicy);
  checkFault(f, at(path, 'fault'), route.fault);
  checkMirrors(f, path, route);
  checkRedirectAndRewrite(f, path, route);
  checkDirectResponse(f, path, route);
  checkRetries(f, at(path, 'retries'), route.retries);
  checkRouteDestinations(f, at(path, 'route'), route.route);
  if (route.timeout !== undefined) f.check(at(path, 'timeout'), 'INVALID_DURATION', checkDuration(route.timeout));
}
