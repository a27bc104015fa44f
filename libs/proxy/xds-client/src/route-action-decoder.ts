// Decoders for a route's action: forwarding (clusters, rewrites, timeouts,
// retries, mirrors, hashing), redirects and direct responses.
import type { Route__Output } from '@sextant/proto';
import { bool, checkRegex, durationMs, fractionalPercent, u32, type Issues } from './decode-support';
import { decodeCorsPolicy, decodePerFilterConfig } from './http-filter-decoder';
import { decodeHeaderMatchers, decodeHeaderOps } from './matcher-decoder';
import type {
  DirectResponseConfig,
  HashPolicyConfig,
  MirrorPolicyConfig,
  RedirectActionConfig,
  RetryPolicyConfig,
  RouteActionConfig,
  WeightedClusterConfig,
  CorsPolicyConfig,
} from './route-types';

type RouteActionMsg = NonNullable<Route__Output['route']>;
export type RetryPolicyMsg = NonNullable<RouteActionMsg['retryPolicy']>;
export type MirrorPolicyMsg = RouteActionMsg['requestMirrorPolicies'][number];
type RedirectMsg = NonNullable<Route__Output['redirect']>;
type DirectMsg = NonNullable<Route__Output['directResponse']>;
export type LegacyCorsMsg = NonNullable<RouteActionMsg['cors']>;

/** Envoy's route timeout when the field is unset. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

const KNOWN_RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

export function decodeRetryPolicy(msg: RetryPolicyMsg, path: string, issues: Issues): RetryPolicyConfig {
  const retryOn = (msg.retryOn ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const r of retryOn) if (!KNOWN_RETRY_ON.has(r)) issues.warn(`${path}.retryOn`, `unknown retry condition "${r}" ignored`);
  const baseMs = durationMs(msg.retryBackOff?.baseInterval, 25);
  const maxMs = durationMs(msg.retryBackOff?.maxInterval, baseMs * 10);
  if (msg.retryBackOff && baseMs <= 0) issues.error(`${path}.retryBackOff.baseInterval`, 'must be > 0');
  if (maxMs < baseMs) issues.error(`${path}.retryBackOff.maxInterval`, 'must be >= base_interval');
  if (msg.retryPriority) issues.warn(`${path}.retryPriority`, 'ignored: retries use the normal priority load');
  return {
    retryOn: retryOn.filter((r) => KNOWN_RETRY_ON.has(r)),
    numRetries: u32(msg.numRetries, 1),
    perTryTimeoutMs: durationMs(msg.perTryTimeout, 0),
    perTryIdleTimeoutMs: durationMs(msg.perTryIdleTimeout, 0),
    retriableStatusCodes: (msg.retriableStatusCodes ?? []).map(Number),
    backoff: { baseMs, maxMs },
    retriableHeaders: decodeHeaderMatchers(msg.retriableHeaders, `${path}.retriableHeaders`, issues),
    retriableRequestHeaders: decodeHeaderMatchers(msg.retriableRequestHeaders, `${path}.retriableRequestHeaders`, issues),
    hostPredicates: (msg.retryHostPredicate ?? []).map((p) => p.name),
    hostSelectionMaxAttempts: Math.max(1, Number(msg.hostSelectionRetryMaxAttempts ?? 1) || 1),
  };
}

export function decodeMirrors(list: MirrorPolicyMsg[] | null | undefined, path: string, issues: Issues): MirrorPolicyConfig[] {
  const out: MirrorPolicyConfig[] = [];
  (list ?? []).forEach((m, i) => {
    if (!m.cluster) {
      issues.error(`${path}[${i}].cluster`, m.clusterHeader ? 'cluster_header mirrors are not supported' : 'empty mirror cluster');
      return;
    }
    out.push({ cluster: m.cluster, fraction: m.runtimeFraction ? fractionalPercent(m.runtimeFraction.defaultValue, 0) : 1 });
  });
  return out;
}

export function decodeLegacyCors(msg: LegacyCorsMsg | null | undefined, path: string, issues: Issues): CorsPolicyConfig | undefined {
  if (!msg) return undefined;
  return decodeCorsPolicy(msg as never, path, issues);
}

function decodeHashPolicy(list: RouteActionMsg['hashPolicy'], path: string, issues: Issues): HashPolicyConfig[] {
  const out: HashPolicyConfig[] = [];
  (list ?? []).forEach((h, i) => {
    const p = `${path}[${i}]`;
    const terminal = Boolean(h.terminal);
    switch (h.policySpecifier) {
      case 'header':
        if (h.header?.regexRewrite) issues.warn(`${p}.header.regexRewrite`, 'ignored: the whole header value is hashed');
        out.push({ kind: 'header', name: (h.header?.headerName ?? '').toLowerCase(), terminal });
        break;
      case 'cookie': {
        const ttlMs = h.cookie?.ttl ? durationMs(h.cookie.ttl, 0) : undefined;
        out.push({ kind: 'cookie', name: h.cookie?.name ?? '', path: h.cookie?.path ?? '', terminal, ...(ttlMs !== undefined ? { ttlMs } : {}) });
        break;
      }
      case 'connectionProperties':
        if (h.connectionProperties?.sourceIp) out.push({ kind: 'source-ip', terminal });
        break;
      case 'queryParameter':
        out.push({ kind: 'query', name: h.queryParameter?.name ?? '', terminal });
        break;
      default:
        issues.warn(p, `hash policy ${h.policySpecifier ?? '(none)'} is not supported; ignored`);
    }
  });
  return out;
}

function decodeWeighted(w: NonNullable<RouteActionMsg['weightedClusters']>, path: string, issues: Issues): RouteActionConfig['cluster'] {
  const clusters: WeightedClusterConfig[] = [];
  let total = 0;
  w.clusters.forEach((c, i) => {
    const p = `${path}.clusters[${i}]`;
    if (!c.name) issues.error(`${p}.name`, c.clusterHeader ? 'cluster_header in weighted clusters is not supported' : 'empty cluster name');
    const weight = u32(c.weight, 0);
    total += weight;
    const hostRewrite = (c as { hostRewriteLiteral?: string }).hostRewriteLiteral;
    clusters.push({
      name: c.name,
      weight,
      headers: decodeHeaderOps(c, p, issues),
      perFilter: decodePerFilterConfig(c.typedPerFilterConfig, `${p}.typedPerFilterConfig`, issues),
      ...(hostRewrite ? { hostRewrite } : {}),
    });
  });
  if (clusters.length === 0) issues.error(`${path}.clusters`, 'no clusters');
  if (w.totalWeight && u32(w.totalWeight, 0) !== total) issues.warn(`${path}.totalWeight`, `total_weight ${u32(w.totalWeight, 0)} differs from the sum ${total}; the sum is used`);
  if (total <= 0) issues.error(`${path}.clusters`, 'the weights sum to 0');
  return { kind: 'weighted', clusters, total };
}

export function decodeRouteAction(msg: RouteActionMsg, path: string, issues: Issues, upgradeTypes: Record<string, boolean>): RouteActionConfig {
  let cluster: RouteActionConfig['cluster'];
  switch (msg.clusterSpecifier) {
    case 'cluster':
      cluster = { kind: 'cluster', name: msg.cluster ?? '' };
      if (!msg.cluster) issues.error(`${path}.cluster`, 'empty cluster name');
      break;
    case 'weightedClusters':
      cluster = decodeWeighted(msg.weightedClusters!, `${path}.weightedClusters`, issues);
      break;
    case 'clusterHeader':
      cluster = { kind: 'header', header: (msg.clusterHeader ?? '').toLowerCase() };
      break;
    default:
      issues.error(path, `cluster specifier ${msg.clusterSpecifier ?? '(none)'} is not supported`);
      cluster = { kind: 'cluster', name: '' };
  }
  const out: RouteActionConfig = {
    kind: 'route',
    cluster,
    clusterNotFoundCode: msg.clusterNotFoundResponseCode === 'NOT_FOUND' ? 404 : msg.clusterNotFoundResponseCode === 'INTERNAL_SERVER_ERROR' ? 500 : 503,
    timeoutMs: durationMs(msg.timeout, DEFAULT_ROUTE_TIMEOUT_MS),
    idleTimeoutMs: durationMs(msg.idleTimeout, 0),
    mirrors: decodeMirrors(msg.requestMirrorPolicies, `${path}.requestMirrorPolicies`, issues),
    hashPolicy: decodeHashPolicy(msg.hashPolicy, `${path}.hashPolicy`, issues),
    upgrades: upgradeTypes,
    grpcTimeoutOffsetMs: durationMs(msg.grpcTimeoutOffset, 0),
  };
  if (msg.maxStreamDuration?.grpcTimeoutHeaderMax) out.maxGrpcTimeoutMs = durationMs(msg.maxStreamDuration.grpcTimeoutHeaderMax, 0);
  else if (msg.maxGrpcTimeout) out.maxGrpcTimeoutMs = durationMs(msg.maxGrpcTimeout, 0);
  if (msg.prefixRewrite) out.prefixRewrite = msg.prefixRewrite;
  if (msg.regexRewrite) {
    const regex = msg.regexRewrite.pattern?.regex ?? '';
    if (checkRegex(regex, `${path}.regexRewrite.pattern`, issues)) out.regexRewrite = { regex, substitution: msg.regexRewrite.substitution ?? '' };
  }
  if (out.prefixRewrite !== undefined && out.regexRewrite) issues.error(`${path}`, 'prefix_rewrite and regex_rewrite are mutually exclusive');
  switch (msg.hostRewriteSpecifier) {
    case 'hostRewriteLiteral':
      out.hostRewrite = { kind: 'literal', value: msg.hostRewriteLiteral ?? '' };
      break;
    case 'autoHostRewrite':
      if (bool(msg.autoHostRewrite, false)) out.hostRewrite = { kind: 'auto' };
      break;
    case 'hostRewriteHeader':
      out.hostRewrite = { kind: 'header', header: (msg.hostRewriteHeader ?? '').toLowerCase() };
      break;
    case 'hostRewritePathRegex':
      issues.warn(`${path}.hostRewritePathRegex`, 'ignored: host rewrite from the path is not supported');
  }
  if (msg.retryPolicy) out.retryPolicy = decodeRetryPolicy(msg.retryPolicy, `${path}.retryPolicy`, issues);
  const cors = decodeLegacyCors(msg.cors, `${path}.cors`, issues);
  if (cors) out.cors = cors;
  if (msg.hedgePolicy) issues.warn(`${path}.hedgePolicy`, 'ignored: request hedging is not supported');
  if (msg.rateLimits?.length) issues.warn(`${path}.rateLimits`, 'ignored: global rate limiting is not supported');
  return out;
}

export function routeUpgrades(msg: RouteActionMsg | null | undefined): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const u of msg?.upgradeConfigs ?? []) out[u.upgradeType.toLowerCase()] = bool(u.enabled, true);
  return out;
}

const REDIRECT_CODES: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };

export function decodeRedirect(msg: RedirectMsg, path: string, issues: Issues): RedirectActionConfig {
  const out: RedirectActionConfig = { kind: 'redirect', status: REDIRECT_CODES[String(msg.responseCode)] ?? 301, stripQuery: Boolean(msg.stripQuery) };
  if (msg.schemeRewriteSpecifier === 'httpsRedirect' && msg.httpsRedirect) out.scheme = 'https';
  else if (msg.schemeRewriteSpecifier === 'schemeRedirect' && msg.schemeRedirect) out.scheme = msg.schemeRedirect.toLowerCase();
  if (msg.hostRedirect) out.host = msg.hostRedirect;
  if (msg.portRedirect) out.port = Number(msg.portRedirect);
  switch (msg.pathRewriteSpecifier) {
    case 'pathRedirect':
      out.path = { kind: 'path', value: msg.pathRedirect ?? '' };
      break;
    case 'prefixRewrite':
      out.path = { kind: 'prefix', value: msg.prefixRewrite ?? '' };
      break;
    case 'regexRewrite': {
      const regex = msg.regexRewrite?.pattern?.regex ?? '';
      if (checkRegex(regex, `${path}.regexRewrite.pattern`, issues)) out.path = { kind: 'regex', regex, substitution: msg.regexRewrite?.substitution ?? '' };
    }
  }
  return out;
}

export function decodeDirectResponse(msg: DirectMsg, path: string, issues: Issues, maxBody: number): DirectResponseConfig {
  const status = Number(msg.status);
  if (!(status >= 200 && status < 600)) issues.error(`${path}.status`, `status ${status} is not in [200, 600)`);
  const out: DirectResponseConfig = { kind: 'direct', status };
  const body = msg.body;
  if (body) {
    if (body.specifier === 'inlineString') out.body = body.inlineString ?? '';
    else if (body.specifier === 'inlineBytes') out.body = Buffer.from(body.inlineBytes ?? []).toString('utf8');
    else issues.error(`${path}.body`, `body source ${body.specifier ?? '(none)'} is not supported (inline only)`);
    if (out.body !== undefined && Buffer.byteLength(out.body) > maxBody) issues.error(`${path}.body`, `body exceeds ${maxBody} bytes`);
  }
  return out;
}

