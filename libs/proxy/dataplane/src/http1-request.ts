// The HTTP/1.1 wire pieces of the downstream connection that need no
// connection state: reading a request head into the exchange, writing a
// response head with its framing, and splicing an upgraded connection.
import type { Socket } from 'node:net';
import { getHeader, removeHeader, statusLine } from './headers';
import type { HttpExchange } from './http-exchange';

/**
 * Fills the exchange from the request line and headers: path and scheme from
 * the request target (origin form, absolute form from the explicit proxy, or
 * CONNECT's authority form), authority (the target's, else Host; Host is
 * removed, the upstream request gets it from the authority) and body framing.
 * Returns whether the client expects `100 Continue`.
 */
export function readRequestHead(ex: HttpExchange, method: string, url: string, headers: string[]): boolean {
  let authority: string | undefined;
  if (url.charCodeAt(0) === 47 /* / */) ex.path = url;
  else if (method === 'CONNECT') {
    ex.path = url;
    authority = url;
  } else {
    const scheme = url.indexOf('://');
    if (scheme > 0) {
      ex.scheme = url.slice(0, scheme).toLowerCase();
      const start = scheme + 3;
      let end = start;
      while (end < url.length && url.charCodeAt(end) !== 47 && url.charCodeAt(end) !== 63) end++;
      authority = url.slice(start, end);
      ex.path = end < url.length ? (url.charCodeAt(end) === 63 ? `/${url.slice(end)}` : url.slice(end)) : '/';
    } else ex.path = url;
  }
  let hasBody = false;
  let contentLength = -1;
  let expectContinue = false;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!;
    if (n === 'host') {
      if (authority === undefined) authority = headers[i + 1]!;
    } else if (n === 'content-length') {
      contentLength = Number(headers[i + 1]);
      hasBody = contentLength > 0;
    } else if (n === 'transfer-encoding') hasBody = true;
    else if (n === 'expect' && headers[i + 1]!.toLowerCase() === '100-continue') expectContinue = true;
  }
  removeHeader(headers, 'host');
  ex.authority = authority ?? '';
  ex.hasBody = hasBody;
  ex.contentLength = hasBody && getHeader(headers, 'transfer-encoding') === undefined ? contentLength : hasBody ? -1 : 0;
  return expectContinue;
}

/** The framing a response head chose; `closeAfter` comes in as the connection's wish and may only turn true. */
export interface ResponseFraming {
  chunked: boolean;
  closeAfter: boolean;
}

/**
 * A response head as written on the wire. Without a length a body is chunked
 * (HTTP/1.1) or delimited by closing the connection (HTTP/1.0); hop-by-hop
 * `connection` headers are replaced by the connection's own decision, except
 * on an upgrade, whose 101 goes out as the upstream sent it.
 */
export function responseHead(status: number, headers: string[], http10: boolean, headRequest: boolean, upgrading: boolean, end: boolean, framing: ResponseFraming): string {
  let s = statusLine(status);
  let hasLength = false;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!;
    if (n === 'content-length') hasLength = true;
    else if (n === 'connection' && !upgrading) continue;
    s += `${n}: ${headers[i + 1]}\r\n`;
  }
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200) || headRequest;
  if (status !== 101 && !hasLength && !noBody) {
    if (end) s += 'content-length: 0\r\n';
    else if (!http10) {
      s += 'transfer-encoding: chunked\r\n';
      framing.chunked = true;
    } else framing.closeAfter = true;
  }
  if (status !== 101) {
    if (framing.closeAfter) s += 'connection: close\r\n';
    else if (http10) s += 'connection: keep-alive\r\n';
  }
  return `${s}\r\n`;
}

/** An upgraded connection (WebSocket): bytes flow both ways untouched; either side closing or failing closes both. */
export function spliceSockets(down: Socket, upstream: Socket): void {
  upstream.setNoDelay(true);
  down.pipe(upstream);
  upstream.pipe(down);
  const close = () => {
    down.destroy();
    upstream.destroy();
  };
  down.on('error', close);
  upstream.on('error', close);
  down.on('close', close);
  upstream.on('close', close);
}

/**
 * Closes a keep-alive connection that stayed idle for `ms`. Arming is cheap
 * (a timestamp): one timer per connection checks when it fires whether the
 * connection idled long enough since it was last armed, else looks again later.
 */
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private since = 0;

  constructor(
    private readonly ms: number,
    private readonly state: () => 'closed' | 'idle' | 'busy',
    private readonly onIdle: () => void,
  ) {}

  arm(): void {
    if (this.ms <= 0) return;
    this.since = Date.now();
    if (this.timer === undefined) this.schedule(this.ms);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const st = this.state();
      if (st === 'closed') return;
      const left = this.since + this.ms - Date.now();
      if (st === 'idle' && left <= 0) this.onIdle();
      else this.schedule(Math.max(left, 1_000));
    }, delay);
    this.timer.unref();
  }
}
