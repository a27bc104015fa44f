// The downstream HTTP/1.1 connection: llhttp reads the socket directly,
// one reusable exchange object serves the connection's requests in turn,
// a response's head and first body chunk leave in one write, and
// keep-alive, chunked framing, 100-continue, pipelining and WebSocket
// upgrades are handled here without node:http's objects and streams.
import type { Socket } from 'node:net';
import type { DownstreamSink } from './downstream';
import { HeadBatches } from './head-batches';
import { getHeader, lowerNames, removeHeader } from './headers';
import type { ConnInfo, HcmRuntime, ProxyServices } from './http-context';
import { HttpExchange } from './http-exchange';
import { IdleTimer, readRequestHead, responseHead, spliceSockets, type ResponseFraming } from './http1-request';
import { writeFast } from './socket-writer';
import {
  consumeSocket,
  isParserError,
  K_ON_BODY,
  K_ON_EXECUTE,
  K_ON_HEADERS,
  K_ON_HEADERS_COMPLETE,
  K_ON_MESSAGE_COMPLETE,
  METHODS,
  newParser,
  PARSE_BODY,
  readStart,
  readStop,
  unconsumeSocket,
  UPGRADE,
  type HttpParser,
} from './llhttp';

/** Picks the HTTP connection manager for a request (fixed per chain, or per target in the explicit proxy). */
export interface HcmResolver {
  resolve(ex: HttpExchange, conn: ConnInfo): HcmRuntime | undefined;
  /** CONNECT (explicit proxy only): take over the socket as a tunnel to host:port. */
  connect?(socket: Socket, target: string, head: Buffer, conn: ConnInfo): void;
}

interface QueuedRequest {
  ex: HttpExchange;
  body: Buffer[];
  complete: boolean;
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const MAX_REQUEST_HEADERS = 100; // Envoy's max_headers_count default; beyond: 431, connection closed
const TOO_MANY_HEADERS = 'HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n';

export class Http1Connection implements DownstreamSink {
  protocol: 'HTTP/1.0' | 'HTTP/1.1' = 'HTTP/1.1';
  private readonly parser: HttpParser;
  private current: HttpExchange;
  private spare: HttpExchange | undefined;
  private queue: QueuedRequest[] | undefined;
  private readonly batches = new HeadBatches();
  private refusal: string | undefined; // the answer to a head refused before it became an exchange (nothing to reset)
  private requestComplete = true;
  private responseComplete = true;
  private keepAlive = true;
  private closeAfter = false;
  /** The filter chain drains: every response from now on closes the connection. */
  private chainDrained = false;
  private chunked = false;
  private readonly framing: ResponseFraming = { chunked: false, closeAfter: false };
  /** Response head not written yet (it goes out with the first body chunk). */
  private pendingHead: string | undefined;
  private upgrading: { target?: string } | undefined;
  private closed = false;
  private tunneling = false;
  /** Bytes the client sent after an upgrade request, before the upstream agreed. */
  private upgradeHead: Buffer | undefined;
  private readonly idleTimer: IdleTimer;
  private consumed: boolean;
  /** Reading stopped for backpressure (pauseRequest). */
  private paused = false;
  /** The client sent its FIN: no more requests come. */
  private peerEnded = false;

  constructor(
    readonly socket: Socket,
    private readonly conn: ConnInfo,
    private readonly resolver: HcmResolver,
    private readonly services: ProxyServices,
    private readonly registry: Set<Http1Connection>,
    idleTimeoutMs: number,
    initial?: Buffer,
  ) {
    registry.add(this);
    socket.setNoDelay(true);
    this.current = new HttpExchange(services, this);
    this.idleTimer = new IdleTimer(idleTimeoutMs, () => (this.closed ? 'closed' : this.requestComplete && this.responseComplete ? 'idle' : 'busy'), () => socket.end());
    const p = (this.parser = newParser('request'));
    p[K_ON_HEADERS] = (headers: string[], url: string | undefined) => this.batches.add(headers, url);
    p[K_ON_HEADERS_COMPLETE] = (maj: number, min: number, headers: string[] | undefined, method: number, url: string | undefined, _s: number, _m: string, upgrade: boolean, keepAlive: boolean) =>
      this.onHead(maj, min, headers, method, url, upgrade, keepAlive);
    p[K_ON_BODY] = (chunk: Buffer) => this.onBody(chunk);
    p[K_ON_MESSAGE_COMPLETE] = () => this.onMessageComplete();
    p[K_ON_EXECUTE] = (ret: number | Error) => this.onExecute(ret);
    socket.on('close', () => this.onClose());
    socket.on('error', () => undefined);
    socket.on('drain', () => this.current.onDownstreamDrain());
    socket.on('end', () => {
      this.peerEnded = true;
      if (this.requestComplete && this.responseComplete) socket.end();
    });
    // The client's FIN may have come while the first bytes were sniffed (the listener allows half-open).
    this.peerEnded = socket.readableEnded;
    this.consumed = false;
    if (initial !== undefined && initial.length > 0) this.onExecute(this.parser.execute(initial), initial);
    // A CONNECT or upgrade in the first bytes may already have taken the socket over.
    if (this.closed || this.upgradeHead !== undefined) return;
    this.consumed = consumeSocket(p, socket);
    if (!this.consumed) socket.on('data', (d: Buffer) => this.onExecute(this.parser.execute(d), d));
    this.idleTimer.arm();
  }

  private onHead(maj: number, min: number, batch: string[] | undefined, methodIndex: number, lastUrl: string | undefined, upgrade: boolean, keepAlive: boolean): number {
    const rawHeaders = this.batches.headers(batch), url = this.batches.url(lastUrl);
    if (rawHeaders.length > 2 * MAX_REQUEST_HEADERS) return ((this.refusal = TOO_MANY_HEADERS), -1); // -1: the parser stops with an error
    const headers = lowerNames(rawHeaders);
    let ex = this.current;
    let queued: QueuedRequest | undefined;
    if (!this.requestComplete || !this.responseComplete || this.queue !== undefined) {
      // Pipelined request: it waits its turn.
      ex = new HttpExchange(this.services, this);
      queued = { ex, body: [], complete: false };
      (this.queue ??= []).push(queued);
    } else ex.reset();
    this.requestComplete = false;
    this.keepAlive = keepAlive && !this.services.draining;
    this.protocol = maj === 1 && min === 0 ? 'HTTP/1.0' : 'HTTP/1.1';
    const method = METHODS[methodIndex] ?? 'GET';
    ex.method = method;
    ex.protocol = this.protocol;
    ex.headers = headers;
    const expectContinue = readRequestHead(ex, method, url, headers);
    if (expectContinue) {
      removeHeader(headers, 'expect');
      if (queued === undefined) this.socket.write(CONTINUE, 'latin1');
    }
    if (upgrade) {
      if (method === 'CONNECT') {
        this.upgrading = { target: url };
        this.tunneling = true;
        return UPGRADE;
      }
      ex.upgrade = (getHeader(headers, 'upgrade') ?? '').toLowerCase();
    }
    if (queued === undefined) this.begin(ex);
    return upgrade ? UPGRADE : PARSE_BODY;
  }

  private begin(ex: HttpExchange): void {
    this.responseComplete = false;
    this.chunked = false;
    this.closeAfter = !this.keepAlive || this.chainDrained;
    const hcm = this.resolver.resolve(ex, this.conn);
    if (hcm === undefined) {
      // No connection manager for the target: a local 404 with no route.
      ex.conn = this.conn;
      this.notFound(ex);
      return;
    }
    if (ex.upgrade !== undefined) this.upgrading = {};
    ex.start(this.conn, hcm);
  }

  private notFound(ex: HttpExchange): void {
    this.sendHead(404, ['content-length', '0'], true);
    ex.finished = true;
    this.exchangeDone();
  }

  private onBody(chunk: Buffer): void {
    const q = this.queue;
    if (q !== undefined) {
      const last = q[q.length - 1]!;
      if (!last.complete && (this.requestComplete || last.ex !== this.current)) {
        last.body.push(chunk);
        return;
      }
    }
    this.current.onRequestBody(chunk);
  }

  private onMessageComplete(): void {
    if (this.tunneling) return;
    const q = this.queue;
    if (q !== undefined) {
      const last = q[q.length - 1]!;
      if (!last.complete && last.ex !== this.current) {
        last.complete = true;
        return;
      }
    }
    this.requestComplete = true;
    this.current.onRequestEnd();
    if (this.responseComplete) this.next();
  }

  private onExecute(ret: number | Error, data?: Buffer): void {
    if (isParserError(ret)) {
      if (!this.responseComplete || (this.refusal === undefined && !this.current.finished)) this.current.onDownstreamReset();
      if (!this.closed && this.responseComplete) this.socket.end(this.refusal ?? 'HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n', 'latin1');
      else this.socket.destroy();
      return;
    }
    const up = this.upgrading;
    if (up === undefined || this.upgradeHead !== undefined) return;
    const buf = data ?? this.parser.getCurrentBuffer();
    const rest = Buffer.from(buf.subarray(ret));
    if (up.target !== undefined) {
      // CONNECT through the explicit proxy: the socket becomes a tunnel.
      this.detach();
      if (this.resolver.connect) this.resolver.connect(this.socket, up.target, rest, this.conn);
      else this.socket.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nconnection: close\r\n\r\n', 'latin1');
      return;
    }
    // Upgrade requested: the parser is done with this socket; hold client bytes until the upstream answers.
    this.upgradeHead = rest;
    if (this.consumed) unconsumeSocket(this.parser, this.socket);
    this.socket.pause();
  }

  // DownstreamSink -------------------------------------------------------------

  sendHead(status: number, headers: string[], end: boolean): void {
    if (this.closed) return;
    const f = this.framing;
    f.chunked = false;
    f.closeAfter = this.closeAfter || this.services.draining || this.chainDrained;
    // The head waits for the first body chunk so both leave in one write.
    this.pendingHead = responseHead(status, headers, this.protocol === 'HTTP/1.0', this.current.method === 'HEAD', this.upgrading !== undefined, end, f);
    this.chunked = f.chunked;
    this.closeAfter = f.closeAfter;
    if (end) this.sendEnd(undefined);
  }

  /** The upstream has nothing more right now: a head still waiting for body goes out alone. */
  flush = (): void => this.flushHead();

  sendData(chunk: Buffer): boolean {
    if (this.closed) return true;
    if (this.chunked) {
      if (chunk.length === 0) return true;
      this.flushHead();
      this.socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      this.socket.write(chunk);
      return this.socket.write('\r\n', 'latin1');
    }
    const head = this.pendingHead;
    if (head !== undefined) {
      this.pendingHead = undefined;
      const hl = head.length;
      const buf = Buffer.allocUnsafe(hl + chunk.length);
      buf.write(head, 0, hl, 'latin1');
      chunk.copy(buf, hl);
      return writeFast(this.socket, buf);
    }
    return this.socket.write(chunk);
  }

  sendEnd(_trailers?: string[]): void {
    if (this.closed) return;
    if (this.chunked) {
      this.flushHead();
      this.socket.write('0\r\n\r\n', 'latin1');
      this.chunked = false;
    } else this.flushHead();
    this.responseComplete = true;
  }

  private flushHead(): void {
    const head = this.pendingHead;
    if (head !== undefined) {
      this.pendingHead = undefined;
      if (!this.closed) this.socket.write(head, 'latin1');
    }
  }

  reset(): void {
    this.pendingHead = undefined;
    this.closed = true;
    this.socket.destroy();
  }

  pauseRequest(): void {
    this.paused = true;
    readStop(this.socket);
  }

  resumeRequest(): void {
    this.paused = false;
    readStart(this.socket);
  }

  exchangeDone(): void {
    this.responseComplete = true;
    if (this.upgrading !== undefined && this.upgrading.target === undefined && !this.closed) {
      // An upgrade that was refused upstream ends the connection.
      if (!this.spliced) this.socket.end();
      return;
    }
    if (this.requestComplete) this.next();
  }

  private spliced = false;

  spliceUpgrade(upstream: Socket, upstreamHead: Buffer): void {
    this.flushHead();
    this.spliced = true;
    const down = this.socket;
    const rest = this.upgradeHead ?? Buffer.alloc(0);
    this.detach();
    if (rest.length > 0) upstream.write(rest);
    if (upstreamHead.length > 0) down.write(upstreamHead);
    spliceSockets(down, upstream);
  }

  /** The connection goes on with the next request, or closes. */
  private next(): void {
    if (this.closed) return;
    // A request body that ended while the upstream was congested leaves reading stopped; the next request needs it.
    if (this.paused) this.resumeRequest();
    if (this.closeAfter || this.services.draining || this.peerEnded) {
      this.closed = true;
      this.flushHead();
      this.socket.end();
      return;
    }
    const q = this.queue;
    if (q !== undefined && q.length > 0) {
      const item = q.shift()!;
      if (q.length === 0) this.queue = undefined;
      this.spare = this.current;
      this.current = item.ex;
      this.requestComplete = item.complete;
      this.begin(item.ex);
      for (const c of item.body) item.ex.onRequestBody(c);
      if (item.complete) {
        item.ex.onRequestEnd();
        if (this.responseComplete) this.next();
      }
      return;
    }
    if (this.spare !== undefined) {
      this.current = this.spare;
      this.spare = undefined;
    }
    this.idleTimer.arm();
  }

  /** Stops HTTP processing on the socket (tunnels and upgrades take it over). */
  private detach(): void {
    this.closed = true;
    this.registry.delete(this);
    this.idleTimer.clear();
    // Bytes that arrive before the new owner listens stay buffered in the socket (a flowing socket without a 'data' listener drops them).
    this.socket.pause();
    if (this.consumed) unconsumeSocket(this.parser, this.socket);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('drain');
  }

  /** Filter-chain drain: the next response says `connection: close`; an idle connection stays open until drain() or the client's next request. */
  drainOnNextResponse(): void {
    this.chainDrained = true;
    this.closeAfter = true;
  }

  /** Drain: idle connections close now, busy ones after their response. */
  drain(): void {
    this.closeAfter = true;
    if (this.requestComplete && this.responseComplete && !this.closed) {
      this.closed = true;
      this.socket.end();
    }
  }

  /** Still reading HTTP from the socket (false once a CONNECT tunnel or an upgrade took it over, or it closed). */
  get readingHttp(): boolean {
    return !this.closed && this.upgradeHead === undefined;
  }

  get idle(): boolean {
    return this.requestComplete && this.responseComplete;
  }

  private onClose(): void {
    this.closed = true;
    this.registry.delete(this);
    this.idleTimer.clear();
    if (!this.current.finished && (!this.requestComplete || !this.responseComplete)) this.current.onDownstreamReset();
    if (this.queue) for (const q of this.queue) q.ex.finished = true;
    this.queue = undefined;
    this.parser.free?.();
  }
}
