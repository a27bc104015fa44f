// Opaque TCP proxying (envoy.filters.network.tcp_proxy): pick a cluster
// (weighted), a host (load balancing, circuit breaking on connections),
// connect with the cluster's timeout, try other hosts up to
// max_connect_attempts, then splice bytes both ways with an idle timeout.
// Half-close is relayed as Envoy's tcp_proxy does: a FIN from one side ends
// the write side towards the other (end(), buffered bytes still flushed),
// and the connection closes once both directions have finished (or on a
// reset, an error or a timeout).
import type { Socket } from 'node:net';
import type { TcpProxyConfig } from '@sextant/xds-client';
import type { ClusterRuntime } from './cluster-runtime';
import type { Host } from './host';
import type { ConnInfo, Direction, ProxyServices } from './http-context';
import { securityPolicyOf } from './istio-metrics';
import { UNKNOWN_PEER } from './peer-metadata';
import { networkRbacAllows } from './rbac-filter';
import { FLAG, flagsToString } from './response-flags';
import { connectUpstream } from './tls-upstream';

export function startTcpProxy(socket: Socket, conn: ConnInfo, cfg: TcpProxyConfig, services: ProxyServices, direction: Direction, accessLog: boolean, initial?: Buffer): void {
  const start = Date.now();
  let name: string;
  if (cfg.cluster.kind === 'cluster') name = cfg.cluster.name;
  else {
    let r = Math.random() * cfg.cluster.total;
    name = cfg.cluster.clusters.find((c) => (r -= c.weight) < 0)?.name ?? cfg.cluster.clusters[0]!.name;
  }
  const cluster = services.active().clusters.get(name);
  let flags = 0;
  let host: Host | undefined;
  let upstream: Socket | undefined;
  let attempts = 0;
  let closed = false;
  /** AUDIT (network RBAC LOG) policies that matched this connection. */
  let audit: string | undefined;
  const inbound = direction === 'inbound';
  const group = services.metrics.group(inbound ? 'destination' : 'source', inbound ? UNKNOWN_PEER : services.self, inbound ? services.self : UNKNOWN_PEER, inbound ? (services.selfService ?? cluster?.service) : cluster?.service, 'tcp', securityPolicyOf(inbound ? 'destination' : 'source', conn));
  group.tcpOpened++;
  socket.pause();
  // The peer's FIN must not end our side towards it: the answer may still be coming.
  socket.allowHalfOpen = true;
  socket.on('error', () => undefined);

  const finish = () => {
    if (closed) return;
    closed = true;
    socket.destroy();
    upstream?.destroy();
    group.tcpClosed++;
    group.tcpReceived += socket.bytesRead;
    group.tcpSent += socket.bytesWritten;
    if (cluster) {
      cluster.stats.upstream_cx_rx_bytes_total += upstream?.bytesRead ?? 0;
      cluster.stats.upstream_cx_tx_bytes_total += upstream?.bytesWritten ?? 0;
    }
    if (services.accessLog.enabled(accessLog)) {
      services.accessLog.push({
        start_time: new Date(start).toISOString(),
        method: null,
        path: null,
        protocol: 'TCP',
        response_code: 0,
        response_flags: flagsToString(flags),
        response_code_details: null,
        bytes_received: socket.bytesRead,
        bytes_sent: socket.bytesWritten,
        duration: Date.now() - start,
        upstream_service_time: null,
        x_forwarded_for: null,
        user_agent: null,
        request_id: null,
        authority: null,
        upstream_host: host?.key ?? null,
        upstream_cluster: name,
        upstream_local_address: upstream ? `${upstream.localAddress}:${upstream.localPort}` : null,
        downstream_local_address: `${conn.localAddress}:${conn.localPort}`,
        downstream_remote_address: `${conn.remoteAddress}:${conn.remotePort}`,
        requested_server_name: conn.serverName || null,
        route_name: null,
        ...(audit !== undefined ? { access_log_hint: true, audit_policy: audit } : {}),
      });
    }
  };
  socket.on('close', finish);
  if (cfg.rbac !== undefined && !networkRbacAllows(services, cfg.rbac, conn, (p) => (audit = audit === undefined ? p : `${audit},${p}`))) {
    flags |= FLAG.RBAC;
    return finish();
  }
  if (!cluster) {
    flags |= FLAG.NC;
    return finish();
  }

  const tryConnect = (c: ClusterRuntime, exclude: Host | undefined) => {
    attempts++;
    if (c.activeConnections >= c.config.thresholds.maxConnections) {
      c.stats.upstream_cx_overflow++;
      flags |= FLAG.UO;
      return finish();
    }
    if (c.config.discovery === 'ORIGINAL_DST') host = conn.originalDst ? c.originalDstHost(conn.originalDst.address, conn.originalDst.port) : undefined;
    else host = c.pick(undefined, exclude);
    if (!host) {
      c.stats.upstream_cx_none_healthy++;
      flags |= FLAG.UH;
      return finish();
    }
    const h = host;
    c.activeConnections++;
    c.stats.upstream_cx_total++;
    c.stats.upstream_cx_active++;
    h.connections++;
    const dial = connectUpstream(services.tls, c.config, h, 'tcp');
    const up = dial.socket;
    up.allowHalfOpen = true;
    upstream = up;
    let connected = false;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      c.activeConnections--;
      c.stats.upstream_cx_active--;
      h.connections--;
    };
    const timer = setTimeout(() => up.destroy(new Error('connect timeout')), c.config.connectTimeoutMs);
    up.once(dial.readyEvent, () => {
      connected = true;
      clearTimeout(timer);
      if (closed) return up.destroy();
      if (initial && initial.length > 0) up.write(initial);
      if (cfg.idleTimeoutMs > 0) {
        const idle = () => finish();
        socket.setTimeout(cfg.idleTimeoutMs, idle);
        up.setTimeout(cfg.idleTimeoutMs, idle);
      }
      if (cfg.maxConnectionDurationMs > 0) setTimeout(finish, cfg.maxConnectionDurationMs).unref();
      // pipe() ends the destination when its source ends: each FIN is relayed after the bytes before it.
      socket.pipe(up);
      up.pipe(socket);
      socket.resume();
    });
    up.on('error', () => {
      clearTimeout(timer);
      if (!connected) {
        c.stats.upstream_cx_connect_fail++;
        h.cxConnectFail++;
        c.outlierDetector?.report(h, 3);
        release();
        if (!closed && attempts < cfg.maxConnectAttempts) return tryConnect(c, h);
        flags |= FLAG.UF;
        if (attempts > 1) flags |= FLAG.URX;
        return finish();
      }
    });
    up.on('close', (hadError: boolean) => {
      release();
      if (!connected) return;
      // A clean close (both directions done upstream): the downstream still gets the
      // bytes piped to it and our FIN; it closes when the client has finished too.
      // A reset or error tears the downstream down at once.
      if (hadError || !up.readableEnded) finish();
      else if (socket.readableEnded && socket.writableFinished) finish();
    });
  };
  tryConnect(cluster, undefined);
}
