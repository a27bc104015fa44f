// HTTP/2 (h2c) upstream: one session per host carries every request as its
// own stream, so gRPC and HTTP/2 are balanced per request, not per
// connection. Requests that arrive while the session connects wait for it.
// A GOAWAY retires the session at once (new requests open a new one) while
// its streams up to the GOAWAY's last stream id finish on it; streams beyond
// that id, streams reset with REFUSED_STREAM and streams that could not even
// start on a closing session fail as REFUSED_STREAM: the server never
// processed them, so the exchange may send them again, whatever the method.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';
import type { ClusterRuntime } from './cluster-runtime';
import { fromHeaderObject, toHeaderObject } from './headers';
import type { Host, HostPools } from './host';
import type { TlsContexts } from './tls-contexts';
import { connectUpstream, upstreamTlsFor } from './tls-upstream';
import { FAILURE, type RequestHead, type UpstreamHandler, type UpstreamStream } from './upstream';

const { NGHTTP2_REFUSED_STREAM, NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM } = http2.constants;

/** node:http2 errors of session.request() on a session that can take no new stream (nothing was sent). */
const NOT_STARTED = new Set(['ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION', 'ERR_HTTP2_OUT_OF_STREAMS', 'ERR_HTTP2_STREAM_CANCEL']);

/** The last stream id of the GOAWAY each session received (streams above it were never processed). */
const goawayLast = new WeakMap<ClientHttp2Session, number>();

export class Http2Pool implements HostPools {
  private session: ClientHttp2Session | undefined;
  private ready = false;
  private readonly waiting: UpstreamHandler[] = [];
  private connectTimer: NodeJS.Timeout | undefined;
  private draining = false;
  private streams = 0;
  /** The cluster config and transport socket the pool was made for. */
  configRef: unknown;
  tlsRef: unknown;

  constructor(
    readonly host: Host,
    readonly cluster: ClusterRuntime,
    private readonly connectTimeoutMs: number,
    private readonly tls?: TlsContexts,
  ) {}

  get activeConnections(): number {
    return this.session ? 1 : 0;
  }

  acquire(handler: UpstreamHandler): void {
    if (this.session && this.ready && !this.session.destroyed && !this.session.closed) {
      handler.onUpstreamReady(new Http2UpstreamStream(this, this.session, handler));
      return;
    }
    const c = this.cluster;
    if (!this.session) {
      if (c.activeConnections >= c.config.thresholds.maxConnections) {
        c.stats.upstream_cx_overflow++;
        c.stats.upstream_rq_pending_overflow++;
        handler.onUpstreamFailure(FAILURE.OVERFLOW, 'connection overflow');
        return;
      }
      this.connect();
    }
    if (c.pendingRequests >= c.config.thresholds.maxPendingRequests) {
      c.stats.upstream_rq_pending_overflow++;
      handler.onUpstreamFailure(FAILURE.OVERFLOW, 'pending requests overflow');
      return;
    }
    c.pendingRequests++;
    c.stats.upstream_rq_pending_total++;
    c.stats.upstream_rq_pending_active++;
    this.waiting.push(handler);
  }

  cancelPending(handler: UpstreamHandler): void {
    const i = this.waiting.indexOf(handler);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    this.unpend(1);
  }

  private unpend(n: number): void {
    this.cluster.pendingRequests -= n;
    this.cluster.stats.upstream_rq_pending_active -= n;
  }

  private connect(): void {
    const { host, cluster } = this;
    const plain = cluster.config.tls === undefined && cluster.config.transportSocketMatches === undefined;
    const opts: http2.SecureClientSessionOptions = { settings: { enablePush: false }, peerMaxConcurrentStreams: cluster.config.http2MaxConcurrentStreams };
    if (!plain && upstreamTlsFor(cluster.config, host) !== undefined) {
      const up = connectUpstream(this.tls, cluster.config, host, 'http2');
      opts.createConnection = () => up.socket;
    }
    const session = http2.connect(opts.createConnection ? `https://${host.key}` : `http://${host.key}`, opts);
    this.session = session;
    this.ready = false;
    cluster.activeConnections++;
    cluster.stats.upstream_cx_total++;
    cluster.stats.upstream_cx_active++;
    host.connections++;
    this.connectTimer = setTimeout(() => this.fail(session, FAILURE.CONNECT_TIMEOUT, 'connection timeout'), cluster.config.connectTimeoutMs || this.connectTimeoutMs);
    session.once('connect', () => {
      clearTimeout(this.connectTimer);
      this.ready = true;
      const waiting = this.waiting.splice(0);
      this.unpend(waiting.length);
      for (const h of waiting) h.onUpstreamReady(new Http2UpstreamStream(this, session, h));
    });
    session.on('error', (err: NodeJS.ErrnoException) => this.fail(session, this.ready ? FAILURE.RESET : FAILURE.CONNECT, `${this.ready ? 'connection reset' : 'connection failure'} (${err.code ?? err.message})`));
    session.on('goaway', (_code: number, lastStreamId: number) => {
      goawayLast.set(session, lastStreamId);
      this.forget(session);
    });
    session.on('close', () => this.fail(session, this.ready ? FAILURE.RESET : FAILURE.CONNECT, 'connection termination'));
    session.unref();
  }

  /** Stops using a session for new streams (GOAWAY, close); open streams finish on it. */
  private forget(session: ClientHttp2Session): void {
    if (this.session !== session) return;
    clearTimeout(this.connectTimer);
    this.session = undefined;
    this.ready = false;
    const { cluster, host } = this;
    cluster.activeConnections--;
    cluster.stats.upstream_cx_active--;
    cluster.stats.upstream_cx_destroy++;
    host.connections--;
  }

  private fail(session: ClientHttp2Session, kind: (typeof FAILURE)[keyof typeof FAILURE], detail: string): void {
    if (this.session === session && !this.ready) {
      this.cluster.stats.upstream_cx_connect_fail++;
      if (kind === FAILURE.CONNECT_TIMEOUT) this.cluster.stats.upstream_cx_connect_timeout++;
      this.host.cxConnectFail++;
    }
    const current = this.session === session;
    this.forget(session);
    if (!session.destroyed) session.destroy();
    // Requests waiting for another (newer) session are not this one's to fail.
    if (!current) return;
    const waiting = this.waiting.splice(0);
    this.unpend(waiting.length);
    for (const h of waiting) h.onUpstreamFailure(kind, detail);
  }

  streamOpened(): void {
    this.streams++;
    this.session?.ref();
  }

  streamClosed(): void {
    this.streams--;
    if (this.streams === 0) {
      this.session?.unref();
      if (this.draining) this.closeIdle();
    }
  }

  closeIdle(): void {
    if (this.streams === 0 && this.session) {
      const s = this.session;
      this.forget(s);
      s.close();
    }
  }

  drain(): void {
    this.draining = true;
    this.closeIdle();
  }
}

class Http2UpstreamStream implements UpstreamStream {
  private req: ClientHttp2Stream | undefined;
  private trailers: string[] | undefined;
  private done = false;
  readonly localAddress: string;

  constructor(
    private readonly pool: Http2Pool,
    private readonly session: ClientHttp2Session,
    private handler: UpstreamHandler | undefined,
  ) {
    const s = session.socket;
    this.localAddress = s ? `${s.localAddress}:${s.localPort}` : '';
  }

  sendHead(head: RequestHead, end: boolean): void {
    const headers = toHeaderObject(head.headers, { ':method': head.method, ':path': head.path, ':authority': head.authority, ':scheme': head.scheme });
    let req: ClientHttp2Stream;
    try {
      req = this.session.request(headers, { endStream: end });
    } catch (err) {
      this.finish();
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NOT_STARTED.has(code)) this.handler?.onUpstreamFailure(FAILURE.REFUSED_STREAM, `stream could not start on a closing connection (${code})`);
      else this.handler?.onUpstreamFailure(FAILURE.RESET, `stream could not start (${(err as Error).message})`);
      return;
    }
    this.req = req;
    this.pool.streamOpened();
    req.on('response', (h: IncomingHttpHeaders & IncomingHttpStatusHeader, flags: number) => {
      const status = Number(h[':status']);
      if (status >= 100 && status < 200) return;
      const flat = fromHeaderObject(h as Record<string, string>);
      // Pseudo-headers do not travel on.
      let w = 0;
      for (let i = 0; i < flat.length; i += 2) {
        if (flat[i]!.charCodeAt(0) === 58) continue;
        flat[w++] = flat[i]!;
        flat[w++] = flat[i + 1]!;
      }
      flat.length = w;
      if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        // HEADERS with END_STREAM (gRPC Trailers-Only, bodiless answers): the response
        // is complete with its head, and goes on as such (not as head + trailers).
        this.finish();
        const h = this.handler;
        this.handler = undefined;
        h?.onUpstreamHead(status, flat, true);
        return;
      }
      this.handler?.onUpstreamHead(status, flat);
      // Body (if any) comes in later callbacks: do not hold the head back.
      this.handler?.onUpstreamIdle?.();
    });
    req.on('data', (chunk: Buffer) => this.handler?.onUpstreamData(chunk));
    req.on('trailers', (t: Record<string, string>) => {
      this.trailers = fromHeaderObject(t);
    });
    req.on('end', () => {
      if (this.done) return;
      this.finish();
      const h = this.handler;
      this.handler = undefined;
      h?.onUpstreamEnd(this.trailers);
    });
    req.on('drain', () => this.handler?.onUpstreamDrain());
    req.on('error', () => undefined);
    req.on('close', () => {
      if (this.done) return;
      this.finish();
      const h = this.handler;
      this.handler = undefined;
      const code = req.rstCode;
      const last = goawayLast.get(this.session);
      if (code === NGHTTP2_REFUSED_STREAM) h?.onUpstreamFailure(FAILURE.REFUSED_STREAM, 'refused stream');
      else if (last !== undefined && req.id !== undefined && req.id > last) h?.onUpstreamFailure(FAILURE.REFUSED_STREAM, 'refused stream (beyond the GOAWAY last stream id)');
      else h?.onUpstreamFailure(FAILURE.RESET, `remote reset (code ${code ?? 'none'})`);
    });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.req) this.pool.streamClosed();
  }

  sendData(chunk: Buffer): boolean {
    return this.req ? this.req.write(chunk) : true;
  }

  sendEnd(): void {
    this.req?.end();
  }

  abort(): void {
    this.handler = undefined;
    if (this.req && !this.req.destroyed) this.req.close(NGHTTP2_CANCEL);
    this.finish();
  }

  pauseResponse(): void {
    this.req?.pause();
  }

  resumeResponse(): void {
    this.req?.resume();
  }
}
