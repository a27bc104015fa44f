// HTTP and HTTP/2 ports: one listener per port that peeks at the first bytes
// of each connection. A connection that opens with the HTTP/2 preface (h2c
// with prior knowledge) goes to an http2 server, anything else to an HTTP/1.1
// server; both share one request handler.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { errorMessage, sleep } from '@sextant/util';
import { propagatedHeaders } from '@sextant/workloads';
import { ControlError, padBody, parseControls, type EchoControls } from './behaviour';
import { identityHeaders, type EchoContext, type RunningServer } from './echo-context';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const MAX_REQUEST_BODY = 16 * 1024 * 1024;
const SNIFF_TIMEOUT_MS = 30_000;

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export interface CallResult {
  url: string;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  error?: string;
}

/** Everything the echo answer reports about a request. */
export interface EchoAnswer {
  service: string;
  version: string;
  instance: string;
  namespace: string;
  method: string;
  path: string;
  host: string;
  port: number;
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  attempt?: number;
  error?: string;
  call?: CallResult;
}

function send(res: Res, status: number, body: Buffer, contentType: string, extra: Record<string, string>): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  // These statuses never carry a body.
  if (status === 204 || status === 304) return void res.end();
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', String(body.length));
  res.end(body);
}

function sendJson(res: Res, status: number, value: unknown, extra: Record<string, string>): void {
  send(res, status, Buffer.from(JSON.stringify(value) + '\n'), 'application/json', extra);
}

function readBody(req: Req): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BODY) {
        reject(new ControlError(`request body larger than ${MAX_REQUEST_BODY} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function callThroughMesh(ctx: EchoContext, url: string, req: Req): Promise<CallResult> {
  try {
    const r = await ctx.mesh.request(url, { headers: propagatedHeaders(req.headers as http.IncomingHttpHeaders) });
    const text = r.body.toString('utf8');
    let body: unknown = text;
    if (String(r.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { url, status: r.status, headers, body };
  } catch (err) {
    return { url, error: errorMessage(err) };
  }
}

/** Path and query of a request target; an absolute-form target (from a proxy) is reduced to them. */
function originForm(target: string): string {
  if (!/^https?:\/\//i.test(target)) return target;
  try {
    const u = new URL(target);
    return u.pathname + u.search;
  } catch {
    return target;
  }
}

/** Serves one request on an HTTP or HTTP2 port. */
export async function handleEcho(ctx: EchoContext, port: number, req: Req, res: Res): Promise<void> {
  const { identity, stats, log } = ctx;
  const idHeaders = identityHeaders(identity);
  const method = req.method ?? 'GET';
  const path = originForm(req.url ?? '/');
  const pathname = path.split('?')[0];
  const protocol = req.httpVersion === '2.0' ? 'HTTP/2' : `HTTP/${req.httpVersion}`;
  const started = Date.now();
  res.on('finish', () =>
    log.debug({ method, path, protocol, port, status: res.statusCode, durationMs: Date.now() - started }, 'request'),
  );

  if (pathname === '/healthz') return send(res, 200, Buffer.from('ok\n'), 'text/plain; charset=utf-8', idHeaders);
  if (pathname === '/_echo/stats') {
    if (method === 'DELETE') stats.reset();
    else if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'use GET or DELETE on /_echo/stats' }, idHeaders);
    return sendJson(res, 200, { instance: identity.instance, ...stats.snapshot() }, idHeaders);
  }

  let controls: EchoControls;
  let body: Buffer;
  try {
    controls = parseControls(req.headers);
    body = await readBody(req);
  } catch (err) {
    const status = err instanceof ControlError ? 400 : 500;
    return sendJson(res, status, { error: errorMessage(err), service: identity.service, instance: identity.instance }, idHeaders);
  }

  const admission = stats.admit(controls, method, protocol);
  if (controls.delayMs) await sleep(controls.delayMs);

  const answer: EchoAnswer = {
    service: identity.service,
    version: identity.version,
    instance: identity.instance,
    namespace: identity.namespace,
    method,
    path,
    host: String(req.headers[':authority'] ?? req.headers.host ?? ''),
    port,
    protocol,
    headers: req.headers,
    body: body.toString('utf8'),
  };
  if (controls.id !== undefined) answer.attempt = admission.attempt;
  let status = controls.status ?? 200;
  if (admission.failing) {
    status = 503;
    answer.error = `failing request ${admission.attempt} of the first ${controls.failFirst} with x-echo-id ${controls.id}`;
  } else if (controls.call) {
    answer.call = await callThroughMesh(ctx, controls.call, req);
    if (answer.call.error !== undefined && controls.status === undefined) status = 502;
  }

  const json = JSON.stringify(answer) + '\n';
  if (controls.bodyBytes !== undefined) {
    const padded = padBody(json, controls.bodyBytes);
    return send(res, status, padded.body, padded.contentType, idHeaders);
  }
  return send(res, status, Buffer.from(json), 'application/json', idHeaders);
}

/** Hands the HTTP/2 server a stream that replays the sniffed bytes, then the socket's. */
function replaying(socket: net.Socket, first: Buffer): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      socket.write(chunk, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  d.push(first);
  socket.on('data', (c: Buffer) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  socket.on('error', (e) => d.destroy(e));
  return d;
}

export function startHttpServer(ctx: EchoContext, address: string, port: number, kind: 'HTTP' | 'HTTP2' = 'HTTP'): Promise<RunningServer> {
  let closing = false;
  const sockets = new Set<net.Socket>();
  /** HTTP/1 sockets -> requests in flight on them, so shutdown closes only idle ones. */
  const h1Busy = new Map<net.Socket, number>();
  const sessions = new Set<http2.Http2Session>();
  let boundPort = port;

  const closeIdleH1 = () => {
    for (const [socket, busy] of h1Busy) if (busy === 0) socket.end();
  };
  const onRequest = (req: Req, res: Res) => {
    if (req.httpVersion !== '2.0') {
      const socket = req.socket as net.Socket;
      h1Busy.set(socket, (h1Busy.get(socket) ?? 0) + 1);
      res.on('close', () => {
        if (h1Busy.has(socket)) h1Busy.set(socket, (h1Busy.get(socket) ?? 1) - 1);
        if (closing) closeIdleH1();
      });
      if (closing) res.setHeader('connection', 'close');
    }
    handleEcho(ctx, boundPort, req, res).catch((err) => {
      ctx.log.error({ err }, 'echo handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: errorMessage(err) }, identityHeaders(ctx.identity));
      else res.end();
    });
  };
  const h1 = http.createServer(onRequest);
  const h2 = http2.createServer(onRequest);
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    if (closing) s.close();
  });

  const sniffing = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    if (closing) return void socket.destroy();
    sockets.add(socket);
    sniffing.add(socket);
    socket.on('close', () => sniffing.delete(socket));
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const n = Math.min(buf.length, PREFACE.length);
      const h2c = buf.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (h2c && buf.length < PREFACE.length) return;
      socket.removeListener('data', onData);
      sniffing.delete(socket);
      socket.setTimeout(0);
      socket.pause();
      if (h2c) {
        h2.emit('connection', replaying(socket, buf));
      } else {
        h1Busy.set(socket, 0);
        socket.on('close', () => h1Busy.delete(socket));
        socket.unshift(buf);
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  const close = async (graceMs = 5000): Promise<void> => {
    closing = true;
    const stopped = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const s of sniffing) s.destroy();
    closeIdleH1();
    for (const s of sessions) s.close();
    const deadline = Date.now() + graceMs;
    while (sockets.size > 0 && Date.now() < deadline) await sleep(25);
    for (const s of sockets) s.destroy();
    await stopped;
  };

  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, address, () => {
      listener.removeListener('error', reject);
      boundPort = (listener.address() as net.AddressInfo).port;
      resolve({ protocol: kind, address, port: boundPort, close });
    });
  });
}
