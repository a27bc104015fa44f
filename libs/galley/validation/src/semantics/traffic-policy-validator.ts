// DestinationRule traffic policies (also Sidecar connection pools): outlier
// detection, connection pools, load balancing, client TLS, tunnels.
import type {
  ClientTLSSettings,
  ConnectionPoolSettings,
  LoadBalancerSettings,
  LocalityFailover,
  OutlierDetection,
  TrafficPolicy,
  TunnelSettings,
} from '@sextant/config-model';
import { checkFqdn } from '../checks/hosts';
import { isIpAddress } from '../checks/net';
import { checkDuration, checkPercent, checkPort, isPrime } from '../checks/values';
import { parseDuration } from '../duration';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';

const TOPOLOGY_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);
const MAX_MAGLEV_TABLE = 5000011;

function checkOutlierDetection(f: Findings, path: string, od: OutlierDetection | undefined): void {
  if (!od) return;
  if (od.baseEjectionTime !== undefined) f.check(at(path, 'baseEjectionTime'), 'INVALID_DURATION', checkDuration(od.baseEjectionTime));
  if (od.interval !== undefined) f.check(at(path, 'interval'), 'INVALID_DURATION', checkDuration(od.interval));
  if (od.consecutiveErrors !== undefined && od.consecutiveErrors !== 0) {
    f.warn(at(path, 'consecutiveErrors'), 'DEPRECATED', 'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead');
  }
  if (!od.splitExternalLocalOriginErrors && (od.consecutiveLocalOriginFailures ?? 0) > 0) {
    f.error(at(path, 'consecutiveLocalOriginFailures'), 'CONFLICT', 'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false');
  }
  if (od.maxEjectionPercent !== undefined) f.check(at(path, 'maxEjectionPercent'), 'OUT_OF_RANGE', checkPercent(od.maxEjectionPercent));
  if (od.minHealthPercent !== undefined) f.check(at(path, 'minHealthPercent'), 'OUT_OF_RANGE', checkPercent(od.minHealthPercent));
}

export function checkConnectionPool(f: Findings, path: string, pool: ConnectionPoolSettings | undefined): void {
  if (!pool) return;
  if (!pool.http && !pool.tcp) {
    f.error(path, 'MISSING', 'connection pool must have at least one field');
    return;
  }
  const http = pool.http;
  if (http) {
    const p = at(path, 'http');
    for (const field of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams'] as const) {
      const v = http[field];
      if (v !== undefined && v < 0) f.error(at(p, field), 'OUT_OF_RANGE', `must be >= 0 (got ${v})`);
    }
    if (http.idleTimeout !== undefined) f.check(at(p, 'idleTimeout'), 'INVALID_DURATION', checkDuration(http.idleTimeout));
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol) {
      f.error(at(p, 'useClientProtocol'), 'CONFLICT', 'use client protocol must not be true when H2UpgradePolicy is UPGRADE');
    }
    const ka = http.http2KeepAlive;
    if (ka) {
      const kp = at(p, 'http2KeepAlive');
      if (ka.interval === undefined) f.error(at(kp, 'interval'), 'REQUIRED', 'http2 keepalive interval is required');
      else f.check(at(kp, 'interval'), 'INVALID_DURATION', checkDuration(ka.interval));
      if (ka.timeout === undefined) f.error(at(kp, 'timeout'), 'REQUIRED', 'http2 keepalive timeout is required');
      else f.check(at(kp, 'timeout'), 'INVALID_DURATION', checkDuration(ka.timeout));
    }
  }
  const tcp = pool.tcp;
  if (tcp) {
    const p = at(path, 'tcp');
    if (tcp.maxConnections !== undefined && tcp.maxConnections < 0) f.error(at(p, 'maxConnections'), 'OUT_OF_RANGE', `must be >= 0 (got ${tcp.maxConnections})`);
    if (tcp.connectTimeout !== undefined) f.check(at(p, 'connectTimeout'), 'INVALID_DURATION', checkDuration(tcp.connectTimeout));
    if (tcp.maxConnectionDuration !== undefined) f.check(at(p, 'maxConnectionDuration'), 'INVALID_DURATION', checkDuration(tcp.maxConnectionDuration));
    // 0s disables the idle timeout.
    if (tcp.idleTimeout !== undefined && parseDuration(tcp.idleTimeout) !== 0n) f.check(at(p, 'idleTimeout'), 'INVALID_DURATION', checkDuration(tcp.idleTimeout));
    if (tcp.tcpKeepalive?.time !== undefined) f.check(at(at(p, 'tcpKeepalive'), 'time'), 'INVALID_DURATION', checkDuration(tcp.tcpKeepalive.time));
    if (tcp.tcpKeepalive?.interval !== undefined) f.check(at(at(p, 'tcpKeepalive'), 'interval'), 'INVALID_DURATION', checkDuration(tcp.tcpKeepalive.interval));
  }
}

/** Localities are `region[/zone[/subzone]]`, at most one `*`, at the end, without overlaps. */
function checkLocalities(f: Findings, path: string, localities: readonly string[]): void {
  const seen: string[][] = [];
  for (const locality of localities) {
    const stars = locality.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) {
      f.error(path, 'INVALID_VALUE', `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`);
      return;
    }
    const parts = locality.split('/', 3);
    if (parts.some((p) => p === '')) {
      f.error(path, 'INVALID_VALUE', `locality ${locality} must not contain empty region/zone/subzone info`);
      return;
    }
    const normalised = parts.filter((p) => p !== '*');
    const overlaps = seen.some((s) => {
      const n = Math.min(s.length, normalised.length);
      return s.slice(0, n).join('/') === normalised.slice(0, n).join('/');
    });
    if (overlaps) {
      f.error(path, 'INVALID_VALUE', `locality ${locality} overlap with previous specified ones`);
      return;
    }
    seen.push(normalised);
  }
}

function checkFailover(f: Findings, path: string, failover: readonly LocalityFailover[] | undefined, what: string): void {
  failover?.forEach((fo, i) => {
    const p = itemPath(path, i);
    if (fo.from === fo.to) f.error(p, 'INVALID_VALUE', `${what} failover settings must specify different regions`);
    if (fo.from?.includes('/') || fo.to?.includes('/')) f.error(p, 'INVALID_VALUE', `${what} failover only specifies region`);
    if (fo.from?.includes('*') || fo.to?.includes('*')) f.error(p, 'INVALID_VALUE', `${what} failover region should not contain '*' wildcard`);
  });
}

function checkLoadBalancer(f: Findings, path: string, lb: LoadBalancerSettings | undefined, outlier: OutlierDetection | undefined): void {
  if (!lb) return;
  const ch = lb.consistentHash;
  if (ch) {
    const p = at(path, 'consistentHash');
    const cookie = ch.httpCookie;
    if (cookie && !cookie.name) f.error(at(at(p, 'httpCookie'), 'name'), 'REQUIRED', 'name required for HttpCookie');
    const names = new Set<string>();
    cookie?.attributes?.forEach((attr, i) => {
      const ap = itemPath(at(at(p, 'httpCookie'), 'attributes'), i);
      if (!attr.name) f.error(at(ap, 'name'), 'REQUIRED', 'cookie attribute name cannot be empty');
      else if (names.has(attr.name)) f.error(at(ap, 'name'), 'DUPLICATE', `duplicate cookie attribute name: ${attr.name}`);
      else names.add(attr.name);
    });
    if (ch.minimumRingSize !== undefined && ch.minimumRingSize !== 0) {
      f.warn(at(p, 'minimumRingSize'), 'DEPRECATED', "consistent hash minimumRingSize is deprecated, use ConsistentHashLB's ringHash configuration instead");
      if (ch.ringHash || ch.maglev) f.error(p, 'CONFLICT', 'only one of minimumRingSize or maglev/ringHash can be specified');
    }
    const table = ch.maglev?.tableSize;
    if (ch.maglev) {
      const tp = at(at(p, 'maglev'), 'tableSize');
      if (!table) f.error(tp, 'REQUIRED', 'tableSize must be set for maglev');
      else if (table >= MAX_MAGLEV_TABLE) f.error(tp, 'OUT_OF_RANGE', `tableSize must be less than ${MAX_MAGLEV_TABLE} for maglev`);
      else if (!isPrime(table)) f.error(tp, 'INVALID_VALUE', `tableSize must be a prime number for maglev (got ${table})`);
    }
  }
  if (lb.localityLbSetting && lb.zoneAwareLbSetting) f.error(path, 'CONFLICT', 'only one of localityLbSetting and zoneAwareLbSetting can be set');
  const locality = lb.localityLbSetting;
  if (locality) {
    const p = at(path, 'localityLbSetting');
    const distribute = locality.distribute ?? [];
    const failover = locality.failover ?? [];
    if (distribute.length > 0 && failover.length > 0) f.error(p, 'CONFLICT', "can not simultaneously specify 'distribute' and 'failover'");
    else {
      const topo = failover.length > 0 ? locality.failoverPriority?.find((l) => TOPOLOGY_LABELS.has(l)) : undefined;
      if (topo) f.error(at(p, 'failoverPriority'), 'CONFLICT', `can not simultaneously set 'failover' and topology label '${topo}' in 'failover_priority'`);
      distribute.forEach((d, i) => {
        const dp = itemPath(at(p, 'distribute'), i);
        const weights = Object.values(d.to ?? {});
        if (weights.some((w) => w <= 0 || w > 100)) f.error(at(dp, 'to'), 'OUT_OF_RANGE', 'locality weight must be in range [1, 100]');
        else if (weights.reduce((a, b) => a + b, 0) !== 100) f.error(at(dp, 'to'), 'INVALID_VALUE', `total locality weight ${weights.reduce((a, b) => a + b, 0)} != 100`);
        else checkLocalities(f, at(dp, 'to'), Object.keys(d.to ?? {}));
      });
      checkLocalities(f, at(p, 'distribute'), distribute.map((d) => d.from ?? ''));
      if ((failover.length > 0 || (locality.failoverPriority?.length ?? 0) > 0) && !outlier) {
        f.warn(p, 'SUSPICIOUS', 'outlier detection policy must be provided for failover');
      }
      checkFailover(f, at(p, 'failover'), failover, 'locality lb');
    }
  }
  const zone = lb.zoneAwareLbSetting;
  if (zone) {
    const p = at(path, 'zoneAwareLbSetting');
    const topo = zone.failoverPriority?.find((l) => TOPOLOGY_LABELS.has(l));
    if (topo) f.error(at(p, 'failoverPriority'), 'INVALID_VALUE', `'failover_priority' for zone aware lb must not use topology label '${topo}'; region- and zone-level routing are handled automatically`);
    if (((zone.failover?.length ?? 0) > 0 || (zone.failoverPriority?.length ?? 0) > 0) && !outlier) {
      f.warn(p, 'SUSPICIOUS', 'outlier detection policy must be provided for failover');
    }
    checkFailover(f, at(p, 'failover'), zone.failover, 'zone aware lb');
  }
  const warmup = lb.warmup;
  if (warmup) {
    const p = at(path, 'warmup');
    f.check(at(p, 'duration'), 'INVALID_DURATION', checkDuration(warmup.duration));
    if ((warmup.minimumPercent ?? 0) > 100) f.error(at(p, 'minimumPercent'), 'OUT_OF_RANGE', 'minimumPercent value should be less than or equal to 100');
    if (warmup.aggression !== undefined && warmup.aggression !== null && warmup.aggression <= 0) f.error(at(p, 'aggression'), 'OUT_OF_RANGE', 'aggression should be greater than 0');
  }
}

export function checkClientTls(f: Findings, path: string, tls: ClientTLSSettings | undefined, namespace: string): void {
  if (!tls) return;
  const cred = tls.credentialName ?? '';
  if (cred.startsWith('configmap://')) {
    const [ns, name] = cred.slice('configmap://'.length).split('/');
    const refNs = name === undefined ? namespace : ns;
    if (!name && !ns) f.error(at(path, 'credentialName'), 'INVALID_VALUE', 'invalid configmap:// credentialName: missing name');
    else if (refNs !== namespace) f.error(at(path, 'credentialName'), 'INVALID_VALUE', `invalid configmap:// credentialName: namespace must match the configuration namespace ${JSON.stringify(namespace)}`);
  }
  if (tls.insecureSkipVerify) {
    if (tls.mode === 'SIMPLE' && (tls.caCertificates || cred || tls.subjectAltNames)) {
      f.error(path, 'INVALID_TLS', 'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true');
    }
    if (tls.mode === 'MUTUAL' && (tls.caCertificates || tls.subjectAltNames)) {
      f.error(path, 'INVALID_TLS', 'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true');
    }
  }
  if ((tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL') && cred) {
    if (tls.clientCertificate || tls.caCertificates || tls.privateKey || tls.caCrl) {
      f.error(path, 'INVALID_TLS', 'cannot specify client certificates or CA certificate or CA CRL If credentialName is set');
    }
    return;
  }
  if (tls.mode === 'MUTUAL') {
    if (!tls.clientCertificate) f.error(at(path, 'clientCertificate'), 'INVALID_TLS', 'client certificate required for mutual tls (or set credentialName)');
    if (!tls.privateKey) f.error(at(path, 'privateKey'), 'INVALID_TLS', 'private key required for mutual tls (or set credentialName)');
  }
  if (tls.mode === 'ISTIO_MUTUAL') {
    for (const field of ['clientCertificate', 'privateKey', 'caCertificates', 'credentialName'] as const) {
      if (tls[field]) f.warn(at(path, field), 'IGNORED', `${field} is ignored in ISTIO_MUTUAL mode (Istio provides the certificates)`);
    }
  }
}

function checkTunnel(f: Findings, path: string, tunnel: TunnelSettings | undefined): void {
  if (!tunnel) return;
  if (tunnel.protocol && tunnel.protocol !== 'CONNECT' && tunnel.protocol !== 'POST') f.error(at(path, 'protocol'), 'INVALID_VALUE', 'tunnel protocol must be "CONNECT" or "POST"');
  if (checkFqdn(tunnel.targetHost) && !isIpAddress(tunnel.targetHost)) f.error(at(path, 'targetHost'), 'INVALID_HOST', `tunnel target host must be valid FQDN or IP address (got ${JSON.stringify(tunnel.targetHost)})`);
  f.check(at(path, 'targetPort'), 'INVALID_PORT', checkPort(tunnel.targetPort));
}

export function checkTrafficPolicy(f: Findings, path: string, policy: TrafficPolicy | undefined, namespace: string): void {
  if (!policy) return;
  const set = Object.values(policy).some((v) => v !== undefined && v !== null);
  if (!set) {
    f.error(path, 'MISSING', 'traffic policy must have at least one field');
    return;
  }
  if (policy.tunnel && policy.proxyProtocol) {
    f.error(path, 'CONFLICT', 'tunnel and proxyProtocol must not be set together');
    return;
  }
  checkOutlierDetection(f, at(path, 'outlierDetection'), policy.outlierDetection);
  checkConnectionPool(f, at(path, 'connectionPool'), policy.connectionPool);
  checkLoadBalancer(f, at(path, 'loadBalancer'), policy.loadBalancer, policy.outlierDetection);
  checkClientTls(f, at(path, 'tls'), policy.tls, namespace);
  checkTunnel(f, at(path, 'tunnel'), policy.tunnel);
  policy.portLevelSettings?.forEach((pls, i) => {
    const p = itemPath(at(path, 'portLevelSettings'), i);
    if (!pls.port) f.error(at(p, 'port'), 'REQUIRED', 'portTrafficPolicy must have valid port');
    else f.check(at(at(p, 'port'), 'number'), 'INVALID_PORT', checkPort(pls.port.number ?? 0));
    if (!pls.outlierDetection && !pls.connectionPool && !pls.loadBalancer && !pls.tls) {
      f.error(p, 'MISSING', 'port traffic policy must have at least one field');
      return;
    }
    checkOutlierDetection(f, at(p, 'outlierDetection'), pls.outlierDetection);
    checkConnectionPool(f, at(p, 'connectionPool'), pls.connectionPool);
    checkLoadBalancer(f, at(p, 'loadBalancer'), pls.loadBalancer, pls.outlierDetection);
    checkClientTls(f, at(p, 'tls'), pls.tls, namespace);
  });
}
