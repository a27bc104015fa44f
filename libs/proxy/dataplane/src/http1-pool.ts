// HTTP/1.1 upstream connection pool per host: keep-alive sockets reused
// last-in-first-out, no pipelining, llhttp parsing straight off the socket.
// max_connections is cluster-wide; over it requests wait in the pending
// queue (max_pending_requests), beyond that they overflow (503 UO).
import type net from 'node:net';
import type { ClusterRuntime } from './cluster-runtime';
import { HeadBatches } from './head-batches';
import type { Host, HostPools } from './host';
import { idleSweeper } from './idle-sweeper';
import {
  consumeSocket,
  isParserError,
  K_ON_BODY,
  K_ON_EXECUTE,
  K_ON_HEADERS,
  K_ON_HEADERS_COMPLETE,
  K_ON_MESSAGE_COMPLETE,
  newParser,
  PARSE_BODY,
  readStart,
  readStop,
  SKIP_BODY,
  unconsumeSocket,
  UPGRADE,
  type HttpParser,
} from './llhttp';
import { writeFast } from './socket-writer';
import type { TlsContexts } from './tls-contexts';
import { connectUpstream } from './tls-upstream';
import { FAILURE, type RequestHead, type UpstreamHandler, type UpstreamStream } from './upstream';

const CRLF = '\r\n';

export interface PoolOptions {
  connectTimeoutMs: number;
  /** Idle upstream sockets are closed after this long (below typical server keep-alive timeouts). */
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
    const idle = this.idle.pop();
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

  /** Closes idle sockets older than the idle timeout; true while any stay idle. */
  sweep(now: number): boolean {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const c = this.idle[i]!;
      if (now - c.idleSince >= this.opts.idleTimeoutMs) {
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

export class Http1Connection implements UpstreamStream {
  readonly socket: net.Socket;
  private readonly parser: HttpParser;
  private handler: UpstreamHandler | undefined;
  private connected = false;
  private closedFlag = false;
  /** Reading stopped for backpressure (pauseResponse). */
  private paused = false;
  private queuedHandler: UpstreamHandler | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private served = 0;
  private headMethod = false;
  private chunked = false;
  private keepAlive = true;
  private gotHead = false;
  private upgradeRequested = false;
  private upgraded = false;
  private status = 0;
  private readonly batches = new HeadBatches();
  idleSince = 0;
  localAddress = '';

  constructor(
    private readonly pool: Http1Pool,
    private readonly dedicated: boolean,
  ) {
    const { host, cluster } = pool;
    pool.all.add(this);
    cluster.activeConnections++;
    cluster.stats.upstream_cx_total++;
    cluster.stats.upstream_cx_active++;
    host.connections++;
    const up = connectUpstream(pool.opts.tls, cluster.config, host, 'http1');
    this.socket = up.socket;
    this.parser = newParser('response');
    const p = this.parser;
    p[K_ON_HEADERS] = (headers: string[]) => this.batches.add(headers);
    p[K_ON_HEADERS_COMPLETE] = (_maj: number, _min: number, headers: string[] | undefined, _m: number, _u: string, status: number, _sm: string, _up: boolean, keepAlive: boolean) =>
      this.onHead(headers, status, keepAlive);
    p[K_ON_BODY] = (chunk: Buffer) => {
      this.handler?.onUpstreamData(chunk);
    };
    p[K_ON_MESSAGE_COMPLETE] = () => this.onComplete();
    p[K_ON_EXECUTE] = (ret: number | Error) => this.onExecute(ret);
    this.connectTimer = setTimeout(() => this.fail(FAILURE.CONNECT_TIMEOUT, 'connection timeout'), cluster.config.connectTimeoutMs);
    this.socket.once(up.readyEvent, () => this.onConnect());
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.connected ? FAILURE.RESET : FAILURE.CONNECT, this.connected ? `connection reset (${err.code ?? err.message})` : `connection failure (${err.code ?? err.message})`));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.fail(FAILURE.RESET, 'connection termination'));
    this.socket.on('drain', () => this.handler?.onUpstreamDrain());
  }

  assign(handler: UpstreamHandler): void {
    if (!this.connected) {
      this.queuedHandler = handler;
      return;
    }
    this.handler = handler;
    this.gotHead = false;
    this.headMethod = false;
    this.chunked = false;
    this.upgradeRequested = false;
    handler.onUpstreamReady(this);
  }

  private onConnect(): void {
    clearTimeout(this.connectTimer);
    this.connected = true;
    this.localAddress = `${this.socket.localAddress}:${this.socket.localPort}`;
    if (!consumeSocket(this.parser, this.socket)) {
      this.socket.on('data', (d: Buffer) => this.onExecute(this.parser.execute(d), d));
    }
    const h = this.queuedHandler;
    this.queuedHandler = undefined;
    if (h) this.assign(h);
    else this.pool.release(this);
  }

  sendHead(head: RequestHead, end: boolean): void {
    this.headMethod = head.method === 'HEAD';
    this.chunked = head.hasBody && head.contentLength < 0;
    this.upgradeRequested = head.upgrade !== undefined;
    let s = `${head.method} ${head.path} HTTP/1.1\r\nhost: ${head.authority}\r\n`;
    const h = head.headers;
    for (let i = 0; i < h.length; i += 2) s += `${h[i]}: ${h[i + 1]}\r\n`;
    if (this.chunked) s += 'transfer-encoding: chunked\r\n';
    if (head.upgrade !== undefined) s += `connection: upgrade\r\nupgrade: ${head.upgrade}\r\n`;
    s += CRLF;
    this.pool.cluster.stats.upstream_cx_tx_bytes_total += s.length;
    writeFast(this.socket, s);
    if (end && this.chunked) this.socket.write('0\r\n\r\n', 'latin1');
  }

  sendData(chunk: Buffer): boolean {
    if (this.closedFlag) return true;
    this.pool.cluster.stats.upstream_cx_tx_bytes_total += chunk.length;
    if (!this.chunked) return this.socket.write(chunk);
    if (chunk.length === 0) return true;
    this.socket.cork();
    this.socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
    this.socket.write(chunk);
    const ok = this.socket.write(CRLF, 'latin1');
    this.socket.uncork();
    return ok;
  }

  sendEnd(): void {
    if (this.chunked && !this.closedFlag) this.socket.write('0\r\n\r\n', 'latin1');
  }

  abort(): void {
    this.handler = undefined;
    this.close();
  }

  pauseResponse(): void {
    this.paused = true;
    readStop(this.socket);
  }

  resumeResponse(): void {
    this.paused = false;
    readStart(this.socket);
  }

  close(): void {
    if (this.closedFlag) return;
    this.socket.destroy();
    this.fail(FAILURE.RESET, 'connection closed locally');
  }

  private onHead(batch: string[] | undefined, status: number, keepAlive: boolean): number {
    const headers = this.batches.headers(batch);
    this.status = status;
    if (status >= 100 && status < 200 && status !== 101) return PARSE_BODY; // informational: wait for the real head
    this.gotHead = true;
    this.keepAlive = keepAlive;
    for (let i = 0; i < headers.length; i += 2) headers[i] = headers[i]!.toLowerCase();
    if (status === 101 && this.upgradeRequested) {
      this.upgraded = true;
      this.handler?.onUpstreamHead(status, headers);
      return UPGRADE;
    }
    this.handler?.onUpstreamHead(status, headers);
    return this.headMethod || status === 204 || status === 304 ? SKIP_BODY : PARSE_BODY;
  }

  private onComplete(): void {
    if (this.status >= 100 && this.status < 200 && this.status !== 101) return;
    if (this.upgraded) return;
    const h = this.handler;
    this.handler = undefined;
    this.served++;
    const pool = this.pool;
    const max = pool.opts.maxRequestsPerConnection;
    const reuse = this.keepAlive && !this.dedicated && !this.closedFlag && (max === 0 || this.served < max);
    if (!reuse && max !== 0 && this.served >= max) pool.cluster.stats.upstream_cx_max_requests++;
    // A response that completed while the client was congested leaves reading stopped
    // (the drain that would restart it goes to no handler now): the next response needs it.
    if (reuse && this.paused) this.resumeResponse();
    // Hand the connection back before the handler runs: it may start the next request right away.
    if (reuse) pool.release(this);
    h?.onUpstreamEnd(undefined);
    if (!reuse) this.close();
  }

  private onExecute(ret: number | Error, data?: Buffer): void {
    this.handler?.onUpstreamIdle?.();
    if (isParserError(ret)) {
      this.fail(FAILURE.PROTOCOL, `upstream protocol error (${(ret as { code?: string }).code ?? ret.message})`);
      this.socket.destroy();
      return;
    }
    if (this.upgraded) {
      const buf = data ?? this.parser.getCurrentBuffer();
      const rest = buf.subarray(ret);
      unconsumeSocket(this.parser, this.socket);
      this.socket.removeAllListeners('data');
      this.socket.removeAllListeners('end');
      this.socket.removeAllListeners('close');
      this.socket.removeAllListeners('drain');
      this.detach();
      const h = this.handler;
      this.handler = undefined;
      if (h?.onUpstreamUpgraded) h.onUpstreamUpgraded(this.socket, Buffer.from(rest));
      else this.socket.destroy();
    }
  }

  private onEnd(): void {
    // A response delimited by the end of the connection completes here.
    if (this.gotHead && this.handler) this.parser.finish();
    this.socket.end();
  }

  /** Leaves the pool's books (the socket now belongs to someone else, or is gone). */
  private detach(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearTimeout(this.connectTimer);
    const { cluster, host } = this.pool;
    cluster.activeConnections--;
    cluster.stats.upstream_cx_active--;
    cluster.stats.upstream_cx_destroy++;
    host.connections--;
    this.pool.closed(this);
  }

  private fail(kind: (typeof FAILURE)[keyof typeof FAILURE], detail: string): void {
    const wasClosed = this.closedFlag;
    if (!wasClosed) {
      if (!this.connected) {
        this.pool.cluster.stats.upstream_cx_connect_fail++;
        if (kind === FAILURE.CONNECT_TIMEOUT) this.pool.cluster.stats.upstream_cx_connect_timeout++;
        this.pool.host.cxConnectFail++;
      }
      this.socket.destroy();
      this.detach();
    }
    const h = this.handler ?? this.queuedHandler;
    this.handler = undefined;
    this.queuedHandler = undefined;
    h?.onUpstreamFailure(kind, detail);
  }
}
