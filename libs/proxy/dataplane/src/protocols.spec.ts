import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, request, route, routeConfig, startTcpEcho, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, type Upstream } from './testing';

const raw = (b: Buffer) => b;
const ECHO = { Echo: { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } };
const H2 = { typedExtensionProtocolOptions: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } } };

async function grpcServer(name: string): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(ECHO as never, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      if (call.request.toString() === 'fail') return cb({ code: grpc.status.UNAVAILABLE, details: 'asked to fail' });
      cb(null, Buffer.from(name));
    },
  });
  const port = await new Promise<number>((r, j) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  return { port, server };
}

let dp: Dataplane;
let up: Upstream;
let grpcs: { port: number; server: grpc.Server }[];
let tcpA: { port: number; close(): Promise<void> };
let ws: http.Server;
let wsPort: number;
let httpPort: number;
let grpcPort: number;
let tcpPort: number;
let inboundPort: number;

beforeAll(async () => {
  up = await startUpstream('h1');
  grpcs = await Promise.all(['g1', 'g2', 'g3'].map(grpcServer));
  tcpA = await startTcpEcho('tcp-a');
  ws = http.createServer((_q, s) => s.end('not an upgrade'));
  ws.on('upgrade', (req, socket, head) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    if (head.length) socket.write(head);
    socket.pipe(socket);
    void req;
  });
  await new Promise<void>((r) => ws.listen(0, '127.0.0.1', r));
  wsPort = (ws.address() as net.AddressInfo).port;
  [httpPort, grpcPort, tcpPort, inboundPort] = (await freePorts(4)) as [number, number, number, number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('h1', [up.port]), staticCluster('grpc', grpcs.map((g) => g.port), H2), staticCluster('ws', [wsPort]), staticCluster('tcp', [tcpA.port]))
    .set(
      'route',
      routeConfig('r', [vhost(['*'], [route('/test.Echo/', { cluster: 'grpc' }), route('/ws', { cluster: 'ws' }), route('/', { cluster: 'h1' })])]),
    )
    .set(
      'listener',
      listener('http', httpPort, [{ filters: [hcm({ rds: 'r' })] }]),
      listener('grpc', grpcPort, [{ filters: [hcm({ rds: 'r' })] }]),
      listener('tcp', tcpPort, [{ filters: [tcpProxy('tcp')] }]),
      // Istio-style inbound: HTTP chains chosen by sniffed application protocol, TCP otherwise.
      listener('virtualInbound', inboundPort, [
        { filterChainMatch: { applicationProtocols: ['http/1.1', 'h2c'] }, filters: [hcm({ rds: 'r' })] },
        { filterChainMatch: {}, filters: [tcpProxy('tcp')] },
      ], { listenerFilters: [{ name: 'envoy.filters.listener.http_inspector' }], trafficDirection: 'INBOUND' }),
    );
  dp = testDataplane();
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([up.close(), tcpA.close(), new Promise((r) => ws.close(r)), ...grpcs.map((g) => new Promise((r) => g.server.tryShutdown(() => r(undefined))))]);
});

describe('HTTP/2 and gRPC', () => {
  it('proxies h2c to an HTTP/1.1 upstream', async () => {
    const client = http2.connect(`http://127.0.0.1:${httpPort}`);
    const body = await new Promise<string>((resolve, reject) => {
      const req = client.request({ ':path': '/h2', ':authority': 'svc' });
      let b = '';
      req.on('data', (d: Buffer) => (b += d));
      req.on('end', () => resolve(b));
      req.on('error', reject);
      req.end();
    });
    client.close();
    expect(JSON.parse(body)).toMatchObject({ name: 'h1', url: '/h2', httpVersion: '1.1' });
  });

  it('balances 3,000 gRPC calls on one client connection per request across 3 upstreams (33 % +- 5 %)', async () => {
    const Client = grpc.makeGenericClientConstructor(ECHO as never, 'Echo');
    const client = new Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure()) as unknown as { Echo(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void; close(): void };
    const counts: Record<string, number> = {};
    const call = () => new Promise<string>((resolve, reject) => client.Echo(Buffer.from('hi'), (e, r) => (e ? reject(e) : resolve(r!.toString()))));
    for (let batch = 0; batch < 30; batch++) {
      const names = await Promise.all(Array.from({ length: 100 }, call));
      for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
    }
    client.close();
    expect(Object.keys(counts).sort()).toEqual(['g1', 'g2', 'g3']);
    for (const n of Object.values(counts)) {
      expect(n / 3000).toBeGreaterThan(0.28);
      expect(n / 3000).toBeLessThan(0.38);
    }
  });

  it('passes gRPC errors through in trailers', async () => {
    const Client = grpc.makeGenericClientConstructor(ECHO as never, 'Echo');
    const client = new Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure()) as unknown as { Echo(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void; close(): void };
    const err = await new Promise<grpc.ServiceError | null>((resolve) => client.Echo(Buffer.from('fail'), (e) => resolve(e)));
    client.close();
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(err?.details).toBe('asked to fail');
  });
});

describe('WebSocket', () => {
  it('upgrades and splices bytes both ways', async () => {
    const sock = net.connect(httpPort, '127.0.0.1');
    const got: Buffer[] = [];
    sock.on('data', (d: Buffer) => got.push(d));
    await new Promise((r) => sock.once('connect', r));
    sock.write('GET /ws HTTP/1.1\r\nHost: svc\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    for (let i = 0; i < 100 && !Buffer.concat(got).includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(Buffer.concat(got).toString()).toMatch(/^HTTP\/1.1 101 Switching Protocols/);
    got.length = 0;
    sock.write('frame-bytes');
    for (let i = 0; i < 100 && !Buffer.concat(got).includes('frame-bytes'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(Buffer.concat(got).toString()).toBe('frame-bytes');
    sock.destroy();
  });
});

describe('TCP', () => {
  it('proxies opaque bytes', async () => {
    const sock = net.connect(tcpPort, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d));
    sock.write('hello');
    for (let i = 0; i < 100 && got !== 'tcp-a:hello'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('tcp-a:hello');
    sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(dp.metrics.render()).toMatch(/istio_tcp_received_bytes_total\{[^}]*\} 5/);
  });

  it('sniffs inbound traffic: HTTP to the HTTP chain, other bytes to the TCP chain', async () => {
    const r = await request(inboundPort, '/sniffed');
    expect(r.json()).toMatchObject({ name: 'h1', url: '/sniffed' });
    const sock = net.connect(inboundPort, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d));
    sock.write('\x00binary');
    for (let i = 0; i < 100 && !got.endsWith('binary'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('tcp-a:\x00binary');
    sock.destroy();
  });

  it('does not wait for client bytes on a server-first port', async () => {
    // A client that waits for the server to speak first, on a listener that would otherwise sniff.
    const [p] = (await freePorts(1)) as [number];
    const src = new FakeConfigSource()
      .set('cluster', staticCluster('tcp', [tcpA.port]))
      .set('listener', listener('mysql', p, [{ filterChainMatch: { destinationPort: { value: 3306 }, applicationProtocols: ['http/1.1'] }, filters: [tcpProxy('tcp')] }, { filters: [tcpProxy('tcp')] }], { address: { socketAddress: { address: '127.0.0.1', portValue: p } } }));
    const d2 = testDataplane({ sniffTimeoutMs: 5_000, serverFirstPorts: [p] });
    await d2.apply(src.snapshot());
    const t0 = Date.now();
    const sock = net.connect(p, '127.0.0.1');
    const greeting = await new Promise<string>((r) => sock.once('data', (d: Buffer) => r(d.toString())));
    expect(greeting).toBe('tcp-a:');
    expect(Date.now() - t0).toBeLessThan(1_000);
    sock.destroy();
    d2.close();
  });
});
