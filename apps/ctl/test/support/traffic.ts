// Clients that send through a workload's sidecar the way its app would
// (explicit capture on the sidecar's outbound port 15001): HTTP/1.1 in
// absolute form, h2c with the service as :authority, gRPC with the service
// as the channel's authority, and TCP through a CONNECT tunnel.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { REPO } from '../harness';

export const OUTBOUND_PORT = 15001;

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The echo answer when the body is echo's JSON. */
  echo?: { instance: string; version: string; protocol: string; attempt?: number; headers?: Record<string, unknown>; [k: string]: unknown };
  ms: number;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent;
  timeoutMs?: number;
}

function parseEcho(body: string): HttpAnswer['echo'] {
  try {
    const j = JSON.parse(body) as HttpAnswer['echo'];
    return j && typeof j === 'object' && 'instance' in j ? j : undefined;
  } catch {
    return undefined;
  }
}

/** One HTTP/1.1 request to `url` through the sidecar at `sidecar` (its outbound proxy port). */
export function httpVia(sidecar: string, url: string, o: HttpOptions = {}): Promise<HttpAnswer> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const req = http.request(
      { host: sidecar, port: OUTBOUND_PORT, method: o.method ?? 'GET', path: url, headers: { host: new URL(url).host, ...o.headers }, agent: o.agent, timeout: o.timeoutMs ?? 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          ok({ status: res.statusCode ?? 0, headers: res.headers, body, echo: parseEcho(body), ms: performance.now() - t0 });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${o.timeoutMs ?? 15_000} ms`)));
    req.on('error', fail);
    req.end(o.body);
  });
}

/** An h2c session to a sidecar's outbound port; requests name the service in :authority. */
export class H2Via {
  private session: http2.ClientHttp2Session;
  constructor(sidecar: string) {
    this.session = http2.connect(`http://${sidecar}:${OUTBOUND_PORT}`);
    this.session.on('error', () => undefined);
  }

  request(authority: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
    const t0 = performance.now();
    return new Promise((ok, fail) => {
      const stream = this.session.request({ ':method': body === undefined ? 'GET' : 'POST', ':path': path, ':authority': authority, ...headers }, { endStream: body === undefined });
      let status = 0;
      let head: HttpAnswer['headers'] = {};
      const chunks: Buffer[] = [];
      stream.setTimeout(15_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      stream.on('response', (h) => {
        status = Number(h[':status']);
        head = h;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        ok({ status, headers: head, body: text, echo: parseEcho(text), ms: performance.now() - t0 });
      });
      stream.on('error', fail);
      stream.on('close', () => {
        if (!status) fail(new Error(`h2 stream closed without an answer (rst code ${stream.rstCode})`));
      });
      if (body !== undefined) stream.end(body);
    });
  }

  close(): void {
    this.session.close();
  }
}

export type EchoReply = { message: string; service: string; version: string; instance: string; headers: Record<string, string> };
export type GrpcEcho = grpc.Client & {
  Echo(req: { message: string }, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: EchoReply) => void): grpc.ClientUnaryCall;
};

let EchoCtor: grpc.ServiceClientConstructor | undefined;

/** A gRPC client of sextant.echo.v1.Echo on ONE channel to the sidecar, calling `authority` (e.g. echo:7070). */
export function grpcVia(sidecar: string, authority: string): GrpcEcho {
  EchoCtor ??= (grpc.loadPackageDefinition(protoLoader.loadSync(resolve(REPO, 'samples/echo/echo.proto'))) as unknown as { sextant: { echo: { v1: { Echo: grpc.ServiceClientConstructor } } } }).sextant
    .echo.v1.Echo;
  return new EchoCtor(`${sidecar}:${OUTBOUND_PORT}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': authority }) as unknown as GrpcEcho;
}

export interface GrpcResult {
  ok: boolean;
  instance?: string;
  version?: string;
  code?: number;
  details?: string;
  ms: number;
}

export function grpcCall(client: GrpcEcho, md: Record<string, string> = {}, deadlineMs = 10_000): Promise<GrpcResult> {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  const t0 = performance.now();
  return new Promise((done) => {
    client.Echo({ message: 'proxy-test' }, metadata, { deadline: Date.now() + deadlineMs }, (err, res) =>
      done(err ? { ok: false, code: err.code, details: err.details, ms: performance.now() - t0 } : { ok: true, instance: res.instance, version: res.version, ms: performance.now() - t0 }),
    );
  });
}

/**
 * Opens a TCP connection to `target` (host:port) through the sidecar's CONNECT,
 * sends `payload` once the tunnel is up (after `pauseMs`), and closes once the
 * echo of the payload has come back; returns everything received after the 200.
 */
export function tcpVia(sidecar: string, target: string, payload: string, o: { pauseMs?: number; timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = o.timeoutMs ?? 5_000;
  return new Promise((ok, fail) => {
    const s = net.connect(OUTBOUND_PORT, sidecar);
    let head = Buffer.alloc(0);
    let tunnelled = false;
    let got = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      s.destroy();
      if (err) fail(err);
      else ok(got);
    };
    const timer = setTimeout(() => done(new Error(`TCP via ${sidecar} to ${target}: no echo in ${timeoutMs} ms (got ${JSON.stringify(got)})`)), timeoutMs);
    s.on('connect', () => s.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`));
    s.on('data', (c: Buffer) => {
      if (tunnelled) {
        got += c.toString();
        if (got.endsWith(payload)) done();
        return;
      }
      head = Buffer.concat([head, c]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 200/.test(status)) return done(new Error(`CONNECT ${target}: ${status}`));
      tunnelled = true;
      got = head.subarray(end + 4).toString();
      setTimeout(() => s.write(payload), o.pauseMs ?? 0);
    });
    s.on('close', () => done(new Error(`TCP via ${sidecar} to ${target}: closed before the echo (got ${JSON.stringify(got)})`)));
    s.on('error', (err) => done(err));
  });
}

/** The address of the outbound listener a sidecar has for a TCP service port (Istio's auto-allocated service VIP). */
export async function serviceVip(sidecar: string, port: number): Promise<string> {
  const dump = JSON.stringify(await (await fetch(`http://${sidecar}:15000/config_dump`)).json());
  const m = new RegExp(`"name":"(\\d+\\.\\d+\\.\\d+\\.\\d+)_${port}"`).exec(dump);
  if (!m || m[1]!.startsWith('127.') || m[1] === '0.0.0.0') throw new Error(`no outbound listener with a service address for port ${port} at ${sidecar}`);
  return m[1]!;
}

/** Echo's per-instance counters, read straight from the app (behind its sidecar). */
export async function echoStats(appAddress: string, port = 8080): Promise<{ total: number; byMethod: Record<string, number>; byId: Record<string, { total: number; byMethod: Record<string, number> }> }> {
  return (await (await fetch(`http://${appAddress}:${port}/_echo/stats`)).json()) as never;
}

/** A sidecar's Prometheus text (admin port 15000). */
export async function sidecarPrometheus(address: string): Promise<string> {
  return (await fetch(`http://${address}:15000/stats/prometheus`)).text();
}

/** A sidecar's Envoy-style /stats as name -> value. */
export async function sidecarStats(address: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://${address}:15000/stats`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const i = line.lastIndexOf(': ');
    if (i > 0 && /^\d+$/.test(line.slice(i + 2))) m.set(line.slice(0, i), Number(line.slice(i + 2)));
  }
  return m;
}
