// One upstream HTTP/1.1 connection of a pool (see http1-pool.ts): request
// heads written in one go, llhttp parsing straight off the socket, reuse
// after a complete keep-alive response, and the keep-alive race with an
// upstream that closes idle connections (see http1-keepalive.ts).
import type net from 'node:net';
import { HeadBatches } from './head-batches';
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
import type { Http1Pool } from './http1-pool';
import { writeFast } from './socket-writer';
import { connectUpstream } from './tls-upstream';
import { keepAliveHintMs, REUSE_RACE_MS } from './http1-keepalive';
import { FAILURE, type RequestHead, type UpstreamHandler, type UpstreamStream } from './upstream';

const CRLF = '\r\n';

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
  /** From the last response's `keep-alive: timeout=N`: close after this long idle; 0: no hint. */
  idleLimitMs = 0;
  /** When the current request's head was written; whether any response byte came since. */
  private sentAt = 0;
  private received = false;
  private closingLocally = false;
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
    this.received = false;
    this.sentAt = 0;
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
    this.sentAt = performance.now();
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
    this.closingLocally = true;
    this.socket.destroy();
    this.fail(FAILURE.RESET, 'connection closed locally');
  }

  private onHead(batch: string[] | undefined, status: number, keepAlive: boolean): number {
    const headers = this.batches.headers(batch);
    this.status = status;
    if (status >= 100 && status < 200 && status !== 101) return PARSE_BODY; // informational: wait for the real head
    this.gotHead = true;
    this.keepAlive = keepAlive;
    let hint: string | undefined;
    for (let i = 0; i < headers.length; i += 2) {
      const k = (headers[i] = headers[i]!.toLowerCase());
      if (k === 'keep-alive') hint = headers[i + 1];
    }
    this.idleLimitMs = keepAliveHintMs(hint);
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
    this.received = true;
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
    if (h !== undefined && this.raced(kind)) {
      h.onUpstreamFailure(FAILURE.REFUSED_STREAM, `upstream closed the reused connection before the request was processed (${detail})`);
      return;
    }
    h?.onUpstreamFailure(kind, detail);
  }

  /** The keep-alive race: a reused connection the server closed (or reset) right as a request went out, nothing received. */
  private raced(kind: (typeof FAILURE)[keyof typeof FAILURE]): boolean {
    return kind === FAILURE.RESET && !this.closingLocally && this.served > 0 && !this.received && this.sentAt > 0 && performance.now() - this.sentAt <= REUSE_RACE_MS;
  }
}
