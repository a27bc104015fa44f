// HTTP/2 upstreams end to end through two chained proxies (an outbound and an
// inbound sidecar): bodiless HTTP/1.1 requests to an h2c cluster complete,
// gRPC Trailers-Only answers stay Trailers-Only (so grpc-js can retry them),
// and the proxy's own gRPC errors are Trailers-Only with a mapped grpc-status.
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FAULT_TYPE, FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

const raw = (b: Buffer) => b;
const ECHO = { Echo: { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } };
const H2 = { typedExtensionProtocolOptions: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } } };
const NO_RETRY = { retryPolicy: { numRetries: { value: 0 } } };
type EchoClient = { Echo(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void; close(): void };

let outbound: Dataplane;
let inbound: Dataplane;
let app: Upstream;
let grpcApp: grpc.Server;
let rawApp: http2.Http2Server;
let outPort: number;
const calls = new Map<string, number>();

beforeAll(async () => {
  app = await startUpstream('app', { h2: true });
  grpcApp = new grpc.Server();
  grpcApp.addService(ECHO as never, {
    // "flaky-<id>-<n>": fails the first n calls with that id (grpc-js answers errors Trailers-Only).
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const req = call.request.toString();
      const seen = (calls.get(req) ?? 0) + 1;
      calls.set(req, seen);
      const m = /^flaky-\w+-(\d+)$/.exec(req);
      if (m && seen <= Number(m[1])) return cb({ code: grpc.status.UNAVAILABLE, details: `attempt ${seen} fails` });
      if (req === 'slow') return setTimeout(() => cb(null, Buffer.from('late')), 1_000);
      cb(null, Buffer.from(`ok after ${seen}`));
    },
  });
  const grpcPort = await new Promise<number>((r, j) => grpcApp.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  // An HTTP/2 app that answers "/only" Trailers-Only and anything else with headers, body and trailers.
  rawApp = http2.createServer();
  rawApp.on('stream', (s, h) => {
    s.resume();
    if (h[':path'] === '/raw/only') s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'down' }, { endStream: true });
    else {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
      s.end(Buffer.from([0, 0, 0, 0, 0]));
    }
  });
  await new Promise<void>((r) => rawApp.listen(0, '127.0.0.1', r));
  const rawPort = (rawApp.address() as net.AddressInfo).port;
  const [inPort, out] = (await freePorts(2)) as [number, number];
  outPort = out;
  const fault = { typedPerFilterConfig: { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { httpStatus: 503, percentage: { numerator: 100 } } } } };
  const faultFilter = { name: 'envoy.filters.http.fault', typedConfig: { '@type': FAULT_TYPE } };
  // The inbound sidecar: h2c to the apps (as Istio does for HTTP2/gRPC ports).
  const inSrc = new FakeConfigSource()
    .set('cluster', staticCluster('grpc-app', [grpcPort], H2), staticCluster('raw-app', [rawPort], H2), staticCluster('app', [app.port], H2), staticCluster('empty', [], H2))
    .set(
      'route',
      routeConfig('in', [
        vhost(['*'], [
          route('/slow/', { cluster: 'grpc-app', prefixRewrite: '/test.Echo/Echo', timeout: { nanos: 200_000_000 }, ...NO_RETRY }),
          route('/test.Echo/', { cluster: 'grpc-app', ...NO_RETRY }),
          route('/raw/', { cluster: 'raw-app', ...NO_RETRY }),
          route('/nohost/', { cluster: 'empty', ...NO_RETRY }),
          route('/fault/', { cluster: 'grpc-app', ...NO_RETRY }, fault),
          route('/', { cluster: 'app', ...NO_RETRY }),
        ]),
      ]),
    )
    .set('listener', listener('in', inPort, [{ filters: [hcm({ rds: 'in' }, { filters: [faultFilter] })] }]));
  // The outbound sidecar: to the inbound sidecar over h2c ("/none/" has no route).
  const outSrc = new FakeConfigSource()
    .set('cluster', staticCluster('peer', [inPort], H2))
    .set('route', routeConfig('out', [vhost(['*'], ['/get', '/head', '/empty', '/h2', '/raw/', '/test.Echo/', '/nohost/', '/fault/', '/slow/'].map((p) => route(p, { cluster: 'peer', ...NO_RETRY })))]))
    .set('listener', listener('out', outPort, [{ filters: [hcm({ rds: 'out' })] }]));
  inbound = testDataplane();
  await inbound.apply(inSrc.snapshot());
  outbound = testDataplane();
  await outbound.apply(outSrc.snapshot());
});

afterAll(async () => {
  outbound?.close();
  inbound?.close();
  await Promise.all([app.close(), new Promise((r) => grpcApp.tryShutdown(() => r(undefined))), new Promise((r) => rawApp.close(() => r(undefined)))]);
});

describe('bodiless HTTP/1.1 requests to an h2c upstream', () => {
  it('complete for GET, HEAD and GET with content-length: 0, again and again on warm sessions', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i++) {
      const get = await request(outPort, `/get-${i}`, { agent });
      expect(get.status).toBe(200);
      expect(get.json()).toMatchObject({ name: 'app', method: 'GET', url: `/get-${i}`, httpVersion: '2.0' });
      const head = await request(outPort, `/head-${i}`, { agent, method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      const empty = await request(outPort, `/empty-${i}`, { agent, headers: { 'content-length': '0' } });
      expect(empty.json()).toMatchObject({ method: 'GET', url: `/empty-${i}`, body: '' });
    }
    agent.destroy();
  }, 10_000);

  it('complete for a bodiless HTTP/2 GET', async () => {
    const client = http2.connect(`http://127.0.0.1:${outPort}`);
    for (let i = 0; i < 3; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = client.request({ ':path': `/h2-${i}`, ':authority': 'svc' }, { endStream: true });
        let b = '';
        req.on('data', (d: Buffer) => (b += d));
        req.on('end', () => resolve(b));
        req.on('error', reject);
      });
      expect(JSON.parse(body)).toMatchObject({ url: `/h2-${i}`, method: 'GET' });
    }
    client.close();
  }, 10_000);
});

/** One raw HTTP/2 request: the response head, whether it ended the stream, and any trailers. */
function h2Call(path: string, body = Buffer.from([0, 0, 0, 0, 0])): Promise<{ headers: http2.IncomingHttpHeaders; endStream: boolean; trailers: http2.IncomingHttpHeaders | undefined }> {
  const client = http2.connect(`http://127.0.0.1:${outPort}`);
  return new Promise((resolve, reject) => {
    const req = client.request({ ':method': 'POST', ':path': path, ':authority': 'svc', 'content-type': 'application/grpc', te: 'trailers' });
    let headers: http2.IncomingHttpHeaders = {};
    let endStream = false;
    let trailers: http2.IncomingHttpHeaders | undefined;
    req.on('response', (h, flags: number) => {
      headers = h;
      endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    });
    req.on('trailers', (t) => (trailers = t));
    req.resume();
    req.on('end', () => {
      client.close();
      resolve({ headers, endStream, trailers });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('gRPC Trailers-Only through two sidecars', () => {
  it('keeps an upstream Trailers-Only answer a single HEADERS frame with END_STREAM', async () => {
    const only = await h2Call('/raw/only');
    expect(only.endStream).toBe(true);
    expect(only.headers).toMatchObject({ ':status': 200, 'grpc-status': '14', 'grpc-message': 'down' });
    expect(only.trailers).toBeUndefined();
    const full = await h2Call('/raw/full');
    expect(full.endStream).toBe(false);
    expect(full.headers['grpc-status']).toBeUndefined();
    expect(full.trailers).toMatchObject({ 'grpc-status': '0' });
  });

  it('lets a grpc-js client with a retryPolicy retry UNAVAILABLE and succeed', async () => {
    const Client = grpc.makeGenericClientConstructor(ECHO as never, 'Echo');
    const serviceConfig = { methodConfig: [{ name: [{ service: 'test.Echo' }], retryPolicy: { maxAttempts: 4, initialBackoff: '0.01s', maxBackoff: '0.05s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] } }] };
    const retrying = new Client(`127.0.0.1:${outPort}`, grpc.credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(serviceConfig) }) as unknown as EchoClient;
    const plain = new Client(`127.0.0.1:${outPort}`, grpc.credentials.createInsecure()) as unknown as EchoClient;
    const call = (c: EchoClient, req: string) => new Promise<{ err: grpc.ServiceError | null; reply?: string }>((resolve) => c.Echo(Buffer.from(req), (err, r) => resolve({ err, reply: r?.toString() })));
    // Without a retry policy the first failure is the answer (the proxies do not retry here).
    const once = await call(plain, 'flaky-a-2');
    expect(once.err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(once.err?.details).toBe('attempt 1 fails');
    expect(calls.get('flaky-a-2')).toBe(1);
    // With it: two Trailers-Only UNAVAILABLE answers, then success on the third attempt.
    const retried = await call(retrying, 'flaky-b-2');
    expect(retried.err).toBeNull();
    expect(retried.reply).toBe('ok after 3');
    expect(calls.get('flaky-b-2')).toBe(3);
    retrying.close();
    plain.close();
  });

  it('answers the proxy own gRPC errors Trailers-Only with the mapped grpc-status', async () => {
    const cases: [string, string][] = [
      ['/none/x', '12'], // no route at the outbound sidecar: 404 -> UNIMPLEMENTED
      ['/nohost/x', '14'], // no healthy upstream at the inbound sidecar: 503 -> UNAVAILABLE
      ['/fault/x', '14'], // fault abort 503 -> UNAVAILABLE
      ['/slow/', '14'], // route timeout 504 -> UNAVAILABLE
    ];
    for (const [path, status] of cases) {
      const r = await h2Call(path, path === '/slow/' ? Buffer.from([0, 0, 0, 0, 4, ...Buffer.from('slow')]) : undefined);
      expect({ path, endStream: r.endStream, status: r.headers['grpc-status'], trailers: r.trailers }).toEqual({ path, endStream: true, status, trailers: undefined });
      expect(r.headers['content-type']).toBe('application/grpc');
    }
  });
});
