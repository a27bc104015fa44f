// End-of-request bookkeeping, kept apart from the state machine: Envoy-like
// counters, Istio metrics and the access log entry.
import type { HttpExchange } from './http-exchange';
import { securityPolicyOf } from './istio-metrics';
import { flagsToString } from './response-flags';
import { auditedPolicy } from './security-filters';

/** access_log_hint and audit_policy for requests an AUDIT (RBAC LOG) policy matched; nothing otherwise. */
function auditFields(ex: HttpExchange): { access_log_hint?: true; audit_policy?: string } {
  const policy = auditedPolicy(ex);
  return policy === undefined ? {} : { access_log_hint: true, audit_policy: policy };
}

export function finishExchange(ex: HttpExchange, durationMs: number): void {
  const hcm = ex.hcm;
  const svc = ex.services;
  hcm.stats.downstream_rq_active--;
  hcm.countStatus(ex.status);
  const cluster = ex.cluster;
  if (cluster !== undefined && ex.attempts > 0) {
    cluster.stats.upstream_rq_completed++;
    cluster.stats.countStatus(ex.status);
    if (ex.attempts > 1 && ex.status < 500) cluster.stats.upstream_rq_retry_success++;
  }
  const inbound = hcm.direction === 'inbound';
  const source = inbound ? ex.peer : svc.self;
  const destination = inbound ? svc.self : ex.peer;
  const service = inbound ? (svc.selfService ?? cluster?.service) : cluster?.service;
  // The series group is looked up once per (cluster, peer, protocol) and kept on the cluster.
  const protocol = ex.grpc ? 'grpc' : 'http';
  const peer = inbound ? source : destination;
  const reporter = inbound ? 'destination' : 'source';
  const security = securityPolicyOf(reporter, ex.conn);
  let group = cluster?.lastSeries;
  if (group === undefined || group.protocol !== protocol || (inbound ? group.source : group.destination) !== peer || group.reporter !== reporter || group.service !== service || group.security !== security) {
    group = svc.metrics.group(reporter, source, destination, service, protocol, security);
    if (cluster !== undefined) cluster.lastSeries = group;
  }
  group.record(ex.status, ex.grpcStatus, ex.flags, durationMs, ex.requestBytes, ex.responseBytes);
  const log = svc.accessLog;
  if (log.enabled(hcm.config.accessLog)) {
    const h = ex.headers;
    const header = (n: string) => {
      for (let i = 0; i < h.length; i += 2) if (h[i] === n) return h[i + 1]!;
      return null;
    };
    log.push({
      start_time: new Date(ex.startTime).toISOString(),
      method: ex.method,
      path: ex.path,
      protocol: ex.protocol,
      response_code: ex.status,
      response_flags: flagsToString(ex.flags),
      response_code_details: ex.detail || (ex.attempts > 0 ? 'via_upstream' : null),
      bytes_received: ex.requestBytes,
      bytes_sent: ex.responseBytes,
      duration: Math.round(durationMs),
      upstream_service_time: ex.upstreamServiceMs >= 0 ? Math.round(ex.upstreamServiceMs) : null,
      x_forwarded_for: header('x-forwarded-for'),
      user_agent: header('user-agent'),
      request_id: ex.requestId || header('x-request-id'),
      authority: ex.authority,
      upstream_host: ex.host?.key ?? null,
      upstream_cluster: ex.clusterName || null,
      upstream_local_address: null,
      downstream_local_address: `${ex.conn.localAddress}:${ex.conn.localPort}`,
      downstream_remote_address: `${ex.conn.remoteAddress}:${ex.conn.remotePort}`,
      requested_server_name: ex.conn.serverName || null,
      route_name: ex.route?.name || null,
      attempts: ex.attempts,
      ...auditFields(ex),
    });
  }
}
