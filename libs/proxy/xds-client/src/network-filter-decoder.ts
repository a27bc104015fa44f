// Decoders for the terminal network filters: the HTTP connection manager
// and the TCP proxy.
import type { HttpConnectionManager__Output, TcpProxy__Output } from '@sextant/proto';
import type { RbacFilterConfig } from '@sextant/policy';
import { bool, durationMs, u32, unpack, type AnyLike, type Issues } from './decode-support';
import { decodeHttpFilter } from './http-filter-decoder';
import type { HttpConnectionManagerConfig, HttpFilterConfig, TcpProxyConfig } from './listener-types';
import { decodeRbacFilter } from './rbac-decoder';
import { decodeRouteConfigurationInto } from './route-decoder';

export const NETWORK_RBAC_TYPE = 'envoy.extensions.filters.network.rbac.v3.RBAC';

/** An envoy.filters.network.rbac filter of a chain (it must precede a tcp_proxy). */
export function decodeNetworkRbac(f: { name: string; typedConfig?: AnyLike | null }, path: string, issues: Issues): { name: string; config: RbacFilterConfig } | undefined {
  const msg = unpack<Record<string, unknown>>(f.typedConfig, `${path}.typedConfig`, issues);
  return msg ? { name: f.name, config: decodeRbacFilter(msg, `${path}.typedConfig`, issues, true) } : undefined;
}

/** Attaches a chain's network RBAC filters to its terminal filter; only the TCP proxy enforces them. */
export function attachNetworkRbac(terminal: HttpConnectionManagerConfig | TcpProxyConfig | undefined, rbac: { name: string; config: RbacFilterConfig }[], path: string, issues: Issues): void {
  if (rbac.length === 0 || !terminal) return;
  if (terminal.kind === 'tcp') terminal.rbac = rbac;
  else issues.error(path, 'network RBAC before the HTTP connection manager is not supported (use the HTTP RBAC filter)');
}

/** Envoy's default stream idle timeout (5 minutes). */
const DEFAULT_STREAM_IDLE_MS = 300_000;
/** Envoy's default downstream connection idle timeout (1 hour). */
const DEFAULT_IDLE_MS = 3_600_000;
const DEFAULT_DRAIN_MS = 5_000;

/**
 * forward_client_cert_details the proxy accepts silently. It always removes a
 * client's x-forwarded-client-cert and, on mTLS, sets it from the peer
 * certificate: that is SANITIZE_SET (Istio's sidecar default). APPEND_FORWARD
 * (what Istio sets for gateways) would append to a trusted incoming XFCC
 * instead; the proxy treats it like SANITIZE_SET. SANITIZE (Envoy's default,
 * never set by Istio) is taken as the same.
 */
const XFCC_ACCEPTED = new Set(['SANITIZE', 'SANITIZE_SET', 'APPEND_FORWARD']);
/** Other values are warned about once each, not on every listener update. */
const xfccWarned = new Set<string>();

export function decodeHttpConnectionManager(msg: HttpConnectionManager__Output, path: string, issues: Issues): HttpConnectionManagerConfig {
  let routes: HttpConnectionManagerConfig['routes'];
  switch (msg.routeSpecifier) {
    case 'rds': {
      const name = msg.rds?.routeConfigName ?? '';
      if (!name) issues.error(`${path}.rds.routeConfigName`, 'empty route config name');
      const source = msg.rds?.configSource;
      if (source && !source.ads && source.configSourceSpecifier !== 'ads' && source.configSourceSpecifier !== 'self') {
        issues.error(`${path}.rds.configSource`, `only ADS (or self) config sources are supported, got ${source.configSourceSpecifier ?? '(none)'}`);
      }
      routes = { kind: 'rds', name };
      break;
    }
    case 'routeConfig':
      routes = { kind: 'inline', config: decodeRouteConfigurationInto(msg.routeConfig!, `${path}.routeConfig`, issues) };
      break;
    default:
      issues.error(path, `route specifier ${msg.routeSpecifier ?? '(none)'} is not supported (rds or route_config)`);
      routes = { kind: 'rds', name: '' };
  }
  const httpFilters: HttpFilterConfig[] = [];
  msg.httpFilters.forEach((f, i) => {
    const p = `${path}.httpFilters[${i}:${f.name}]`;
    if (f.configType === 'configDiscovery') {
      issues.error(p, 'extension config discovery (ECDS) is not supported');
      return;
    }
    const decoded = decodeHttpFilter(f, p, issues);
    if (decoded) httpFilters.push(decoded);
  });
  const routerAt = httpFilters.findIndex((f) => f.kind === 'router');
  if (routerAt < 0) issues.error(`${path}.httpFilters`, 'the last HTTP filter must be the router');
  else if (routerAt !== httpFilters.length - 1) issues.error(`${path}.httpFilters`, 'the router must be the last HTTP filter');
  const upgrades: string[] = [];
  for (const u of msg.upgradeConfigs ?? []) {
    if (u.filters?.length) issues.warn(`${path}.upgradeConfigs`, `custom filters for ${u.upgradeType} upgrades are ignored`);
    if (bool(u.enabled, true)) upgrades.push(u.upgradeType.toLowerCase());
  }
  if (msg.tracing) issues.warn(`${path}.tracing`, 'ignored here: the proxy propagates trace headers itself');
  const fcc = msg.forwardClientCertDetails;
  if (fcc && !XFCC_ACCEPTED.has(fcc) && !xfccWarned.has(fcc)) {
    xfccWarned.add(fcc);
    issues.warn(`${path}.forwardClientCertDetails`, `${fcc} is not supported: XFCC is sanitized, then set from the peer certificate (SANITIZE_SET)`);
  }
  const common = msg.commonHttpProtocolOptions;
  const codec = msg.codecType === 'HTTP1' || msg.codecType === 'HTTP2' ? msg.codecType : 'AUTO';
  if (msg.codecType === 'HTTP3') issues.error(`${path}.codecType`, 'HTTP/3 is not supported');
  return {
    kind: 'http',
    statPrefix: msg.statPrefix,
    codec,
    routes,
    httpFilters,
    useRemoteAddress: bool(msg.useRemoteAddress, false),
    xffNumTrustedHops: Number(msg.xffNumTrustedHops ?? 0),
    skipXffAppend: Boolean(msg.skipXffAppend),
    generateRequestId: bool(msg.generateRequestId, true),
    preserveExternalRequestId: Boolean(msg.preserveExternalRequestId),
    alwaysSetRequestIdInResponse: Boolean(msg.alwaysSetRequestIdInResponse),
    upgrades,
    streamIdleTimeoutMs: durationMs(msg.streamIdleTimeout, DEFAULT_STREAM_IDLE_MS),
    requestTimeoutMs: durationMs(msg.requestTimeout, 0),
    requestHeadersTimeoutMs: durationMs(msg.requestHeadersTimeout, 0),
    idleTimeoutMs: durationMs(common?.idleTimeout, DEFAULT_IDLE_MS),
    maxRequestsPerConnection: u32(common?.maxRequestsPerConnection, 0),
    drainTimeoutMs: durationMs(msg.drainTimeout, DEFAULT_DRAIN_MS),
    normalizePath: bool(msg.normalizePath, false),
    mergeSlashes: Boolean(msg.mergeSlashes),
    stripAnyHostPort: Boolean(msg.stripAnyHostPort),
    serverName: msg.serverName || 'envoy',
    serverHeader: msg.serverHeaderTransformation === 'APPEND_IF_ABSENT' || msg.serverHeaderTransformation === 'PASS_THROUGH' ? msg.serverHeaderTransformation : 'OVERWRITE',
    accessLog: (msg.accessLog ?? []).length > 0,
    via: msg.via ?? '',
  };
}

export function decodeTcpProxy(msg: TcpProxy__Output, path: string, issues: Issues): TcpProxyConfig {
  let cluster: TcpProxyConfig['cluster'];
  if (msg.clusterSpecifier === 'weightedClusters') {
    const clusters = (msg.weightedClusters?.clusters ?? []).map((c) => ({ name: c.name, weight: Number(c.weight) }));
    const total = clusters.reduce((s, c) => s + c.weight, 0);
    if (clusters.length === 0 || total <= 0) issues.error(`${path}.weightedClusters`, 'no clusters with weight');
    clusters.forEach((c, i) => c.name || issues.error(`${path}.weightedClusters.clusters[${i}].name`, 'empty cluster name'));
    cluster = { kind: 'weighted', clusters, total };
  } else {
    if (!msg.cluster) issues.error(`${path}.cluster`, 'empty cluster name');
    cluster = { kind: 'cluster', name: msg.cluster ?? '' };
  }
  if (msg.tunnelingConfig) issues.error(`${path}.tunnelingConfig`, 'tunneling TCP over HTTP is not supported');
  if (msg.hashPolicy?.length) issues.warn(`${path}.hashPolicy`, 'ignored: TCP connections are balanced by the cluster policy without a hash key');
  return {
    kind: 'tcp',
    statPrefix: msg.statPrefix,
    cluster,
    // Envoy's TCP idle timeout defaults to 1 hour; 0 disables it.
    idleTimeoutMs: durationMs(msg.idleTimeout, 3_600_000),
    maxConnectAttempts: Math.max(1, u32(msg.maxConnectAttempts, 1)),
    maxConnectionDurationMs: durationMs(msg.maxDownstreamConnectionDuration, 0),
    accessLog: (msg.accessLog ?? []).length > 0,
  };
}
