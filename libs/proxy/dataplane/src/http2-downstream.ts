// Downstream HTTP/2 (h2c, prior knowledge; gRPC): node:http2 parses the
// connection, each stream becomes its own exchange, so every request is
// routed and balanced on its own. gRPC trailers pass through; local replies
// to gRPC requests are trailers-only responses with a mapped grpc-status.
import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { DrainHooks } from './chain-drain';
import type { DownstreamSink } from './downstream';
import { toHeaderObject } from './headers';
import type { ConnInfo, ProxyServices } from './http-context';
import { HttpExchange } from './http-exchange';
import type { HcmResolver } from './http1-fast-path';

const { NGHTTP2_INTERNAL_ERROR } = http2.constants;

class H2Sink implements DownstreamSink {
  readonly protocol = 'HTTP/2' as const;
  ex!: HttpExchange;
  private trailers: string[] | undefined;
  private headTrailers: string[] | undefined;
  private wantTrailers = false;

  constructor(private readonly stream: ServerHttp2Stream) {}

  sendHead(status: number, headers: string[], end: boolean): void {
    if (this.stream.destroyed || this.stream.headersSent) return;
    const obj = toHeaderObject(headers, { ':status': String(status) });
    this.wantTrailers = !end && this.ex.grpc;
    if (this.wantTrailers && obj['grpc-status'] !== undefined) {
      // A trailers-only answer from upstream: its status travels again as the trailers.
      this.headTrailers = [];
      for (const k of ['grpc-status', 'grpc-message', 'grpc-status-details-bin']) {
        const v = obj[k];
        if (typeof v === 'string') this.headTrailers.push(k, v);
      }
    }
    try {
      this.stream.respond(obj, { endStream: end, waitForTrailers: this.wantTrailers });
    } catch {
      this.reset();
    }
    if (this.wantTrailers) {
      this.stream.once('wantTrailers', () => {
        try {
          this.stream.sendTrailers(toHeaderObject(this.trailers ?? this.headTrailers ?? ['grpc-status', String(this.ex.grpcStatus >= 0 ? this.ex.grpcStatus : 0)]));
        } catch {
          this.reset();
        }
      });
    }
  }

  sendData(chunk: Buffer): boolean {
    if (this.stream.destroyed) return true;
    return this.stream.write(chunk);
  }

  sendEnd(trailers: string[] | undefined): void {
    if (this.stream.destroyed) return;
    this.trailers = trailers;
    this.stream.end();
  }

  reset(): void {
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  pauseRequest(): void {
    this.stream.pause();
  }

  resumeRequest(): void {
    this.stream.resume();
  }

  exchangeDone(): void {}
}

interface SessionContext {
  conn: ConnInfo;
  resolver: HcmResolver;
}

export class Http2Downstream {
  readonly server: Http2Server;
  /** Context of the connection being handed to the server (the 'session' event fires synchronously). */
  private next: SessionContext | undefined;
  readonly sessions = new Set<Http2Session>();
  /** The session the last handle() call created. */
  private created: Http2Session | undefined;

  constructor(private readonly services: ProxyServices) {
    this.server = http2.createServer({ settings: { enablePush: false }, maxSessionMemory: 64 });
    this.server.on('session', (session: Http2Session) => {
      const ctx = this.next;
      this.next = undefined;
      if (!ctx) {
        session.destroy();
        return;
      }
      session.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers, ctx));
      this.sessions.add(session);
      this.created = session;
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => undefined);
      if (this.services.draining) session.close();
    });
    this.server.on('sessionError', () => undefined);
  }

  /** Takes over a socket whose first bytes (already read) were the HTTP/2 preface. */
  handle(socket: Socket, conn: ConnInfo, resolver: HcmResolver, initial: Buffer | undefined): Http2Session | undefined {
    if (initial && initial.length > 0) socket.unshift(initial);
    this.next = { conn, resolver };
    this.created = undefined;
    this.server.emit('connection', socket);
    this.next = undefined;
    const session = this.created;
    this.created = undefined;
    return session;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ctx: SessionContext): void {
    stream.on('error', () => undefined);
    const sink = new H2Sink(stream);
    const ex = new HttpExchange(this.services, sink);
    sink.ex = ex;
    ex.reset();
    ex.protocol = 'HTTP/2';
    ex.method = String(headers[':method'] ?? 'GET');
    ex.path = String(headers[':path'] ?? '/');
    ex.scheme = String(headers[':scheme'] ?? 'http');
    ex.authority = String(headers[':authority'] ?? headers['host'] ?? '');
    const flat: string[] = [];
    for (const key in headers) {
      if (key.charCodeAt(0) === 58 /* : */ || key === 'host') continue;
      const v = headers[key];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) flat.push(key, x);
      else flat.push(key, String(v));
    }
    ex.headers = flat;
    const cl = headers['content-length'];
    const ended = stream.endAfterHeaders;
    ex.hasBody = !ended;
    ex.contentLength = ended ? 0 : cl !== undefined ? Number(cl) : -1;
    const hcm = ctx.resolver.resolve(ex, ctx.conn);
    stream.on('data', (chunk: Buffer) => ex.onRequestBody(chunk));
    stream.on('end', () => ex.onRequestEnd());
    stream.on('close', () => {
      if (!ex.finished) ex.onDownstreamReset();
    });
    stream.on('drain', () => ex.onDownstreamDrain());
    if (!hcm) {
      stream.respond({ ':status': '404' }, { endStream: true });
      return;
    }
    ex.start(ctx.conn, hcm);
    if (ended) ex.onRequestEnd();
  }

  drain(): void {
    for (const s of this.sessions) if (!s.closed) s.close();
  }
}

/**
 * How an HTTP/2 session drains when its filter chain changed: one graceful
 * GOAWAY (NO_ERROR) carrying the real last stream id, at once. Every stream the
 * session accepted up to that id runs to its end; streams the client opened
 * after it are not processed, and the client learns so from the GOAWAY (they
 * are beyond its last stream id) and may send them again on a new connection.
 * The session closes when its last accepted stream ends (the chain drainer's
 * drain period still bounds it).
 *
 * Envoy sends a shutdown notice (last stream id 2^31-1) first and the final
 * GOAWAY only after drain_timeout. node:http2 cannot send such a notice: any
 * GOAWAY it submits makes nghttp2 silently ignore every later stream, so a
 * notice would leave the streams in flight hanging until the final GOAWAY
 * refused them drain_timeout later.
 */
export function http2DrainHooks(session: Http2Session): DrainHooks {
  return {
    begin: () => {
      if (!session.closed && !session.destroyed) session.close();
    },
  };
}

