// HTTP/1.1 upstream connection pool per host: keep-alive sockets reused
// last-in-first-out, no pipelining, llhttp parsing straight off the socket.
// max_connections is cluster-wide; over it requests wait in the pending
// queue (max_pending_requests), beyond that they overflow (503 UO).
//
// Idle connections stay open for the cluster's idle_timeout (Envoy's default
// 1 h), so a sidecar pair keeps its mTLS connections. An upstream that says
// how long it keeps idle connections (`Keep-Alive: timeout=N`, as node's and
// many app servers do) gets its connections closed a little before that.
// An upstream may still close an idle connection just as a request is sent
// on it (the keep-alive race): a reused connection that closes or resets
// before any response byte, right after the request was written, fails as
// REFUSED_STREAM (the server closed it while idle: the request was not
// processed), which the exchange sends again on a new connection.
import type { ClusterRuntime } from './cluster-runtime';
import type { Host, HostPools } from './host';
import { Http1Connection } from './http1-upstream';
import { idleSweeper } from './idle-sweeper';
import type { TlsContexts } from './tls-contexts';
import { FAILURE, type UpstreamHandler } from './upstream';

export interface PoolOptions {
  connectTimeoutMs: number;
  /** Idle upstream sockets are closed after this long (the cluster's idle_timeout); 0: never. */
  idleTimeoutMs: number;
  maxRequestsPerConnection: number;
  /** TLS origination (secure contexts by secret); absent: every connection is plaintext. */
  tls?: TlsContexts;
}

export class Http1Pool implements HostPools {
  private readonly idle: Http1Connection[] = [];
  private readonly pending: UpstreamHandler[] = [];
  readonly all = new Set<Http1Connection>();
  private draining = false;
  /** The cluster config the options were computed from. */
  configRef: unknown;
  /** The transport socket connections are made with (pools are replaced when it changes). */
  tlsRef: unknown;
  /** Registered with the idle sweeper. */
  private watched = false;

  constructor(
    readonly host: Host,
    readonly cluster: ClusterRuntime,
    public opts: PoolOptions,
  ) {}

  get activeConnections(): number {
    return this.all.size;
  }

  /** Gets a connection for the handler now, soon (pending), or fails it with OVERFLOW. */
  acquire(handler: UpstreamHandler): void {
    let idle = this.idle.pop();
    // A connection past the upstream's advertised keep-alive timeout is not worth the race.
    while (idle !== undefined && idle.idleLimitMs > 0 && Date.now() - idle.idleSince >= idle.idleLimitMs) {
      this.cluster.stats.upstream_cx_idle_timeout++;
      idle.close();
      idle = this.idle.pop();
    }
    if (idle !== undefined) {
      idle.assign(handler);
      return;
    }
    const c = this.cluster;
    if (c.activeConnections < c.config.thresholds.maxConnections) {
      new Http1Connection(this, false).assign(handler);
      return;
    }
    c.stats.upstream_cx_overflow++;
    if (c.pendingRequests >= c.config.thresholds.maxPendingRequests) {
      c.stats.upstream_rq_pending_overflow++;
      handler.onUpstreamFailure(FAILURE.OVERFLOW, 'pending requests overflow');
      return;
    }
    c.pendingRequests++;
    c.stats.upstream_rq_pending_total++;
    c.stats.upstream_rq_pending_active++;
    this.pending.push(handler);
  }

  /** A request gave up while waiting in the pending queue. */
  cancelPending(handler: UpstreamHandler): void {
    const i = this.pending.indexOf(handler);
    if (i < 0) return;
    this.pending.splice(i, 1);
    this.cluster.pendingRequests--;
    this.cluster.stats.upstream_rq_pending_active--;
  }

  /** A dedicated connection (protocol upgrades): never pooled. */
  dedicated(handler: UpstreamHandler): void {
    new Http1Connection(this, true).assign(handler);
  }

  release(conn: Http1Connection): void {
    const next = this.pending.shift();
    if (next !== undefined) {
      this.cluster.pendingRequests--;
      this.cluster.stats.upstream_rq_pending_active--;
      conn.assign(next);
      return;
    }
    if (this.draining || this.host.removed) {
      conn.close();
      return;
    }
    conn.idleSince = Date.now();
    this.idle.push(conn);
    if (!this.watched) {
      this.watched = true;
      idleSweeper.watch(this);
    }
  }

  /** A connection closed: a pending request may now open one. */
  closed(conn: Http1Connection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    const next = this.pending[0];
    if (next !== undefined && this.cluster.activeConnections < this.cluster.config.thresholds.maxConnections) {
      this.pending.shift();
      this.cluster.pendingRequests--;
      this.cluster.stats.upstream_rq_pending_active--;
      new Http1Connection(this, false).assign(next);
    }
  }

  /** Closes idle sockets older than the idle timeout (or the upstream's keep-alive hint); true while any stay idle. */
  sweep(now: number): boolean {
    const limit = this.opts.idleTimeoutMs;
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const c = this.idle[i]!;
      const idleMs = now - c.idleSince;
      if ((limit > 0 && idleMs >= limit) || (c.idleLimitMs > 0 && idleMs >= c.idleLimitMs)) {
        this.idle.splice(i, 1);
        this.cluster.stats.upstream_cx_idle_timeout++;
        c.close();
      }
    }
    this.watched = this.idle.length > 0;
    return this.watched;
  }

  closeIdle(): void {
    for (const c of this.idle.splice(0)) c.close();
  }

  drain(): void {
    this.draining = true;
    this.closeIdle();
  }
}
