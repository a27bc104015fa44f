import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, request, route, routeConfig, startTcpEcho, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, type Upstream } from './testing';

// Istio's sidecar shapes with INTERCEPTION_MODE=NONE: the app sends to the
// sidecar as an HTTP proxy (outbound, 15001), peers send to the inbound port
// (15006) without an original destination.
let dp: Dataplane;
let app: Upstream;
let h2app: Upstream;
let tcpApp: { port: number; close(): Promise<void> };
let outPort: number;
let inPort: number;

beforeAll(async () => {
  app = await startUpstream('app');
  h2app = await startUpstream('h2app', { h2: true });
  tcpApp = await startTcpEcho('db');
  [outPort, inPort] = (await freePorts(2)) as [number, number];
  const src = new FakeConfigSource()
    .set(
      'cluster',
      staticCluster('inbound|9080||', [app.port]),
      staticCluster('outbound|9080||reviews.default.svc.cluster.local', [app.port]),
      staticCluster('outbound|7070||grpc.default.svc.cluster.local', [h2app.port], {
        typedExtensionProtocolOptions: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } },
      }),
      staticCluster('outbound|5432||db.default.svc.cluster.local', [tcpApp.port]),
      { name: 'PassthroughCluster', type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED', connectTimeout: { seconds: 1 } },
    )
    .set(
      'route',
      routeConfig('9080', [vhost(['reviews', 'reviews:9080'], [route('/', { cluster: 'outbound|9080||reviews.default.svc.cluster.local' })])]),
      routeConfig('7070', [vhost(['grpc', 'grpc:7070'], [route('/', { cluster: 'outbound|7070||grpc.default.svc.cluster.local' })])]),
    )
    .set(
      'listener',
      listener('virtualOutbound', 15001, [{ filters: [tcpProxy('PassthroughCluster')] }], { useOriginalDst: { value: true }, trafficDirection: 'OUTBOUND' }),
      listener('0.0.0.0_9080', 9080, [{ filters: [hcm({ rds: '9080' })] }], { bindToPort: { value: false }, address: { socketAddress: { address: '0.0.0.0', portValue: 9080 } } }),
      listener('0.0.0.0_7070', 7070, [{ filters: [hcm({ rds: '7070' })] }], { bindToPort: { value: false }, address: { socketAddress: { address: '0.0.0.0', portValue: 7070 } } }),
      listener('0.0.0.0_5432', 5432, [{ filters: [tcpProxy('outbound|5432||db.default.svc.cluster.local')] }], { bindToPort: { value: false }, address: { socketAddress: { address: '0.0.0.0', portValue: 5432 } } }),
      listener(
        'virtualInbound',
        15006,
        [
          {
            filterChainMatch: { destinationPort: { value: 9080 } },
            filters: [hcm({ inline: routeConfig('inbound|9080||', [vhost(['*'], [route('/', { cluster: 'inbound|9080||' })])]) }, { statPrefix: 'inbound_0.0.0.0_9080' })],
          },
          { filters: [tcpProxy('PassthroughCluster')] },
        ],
        { useOriginalDst: { value: true }, trafficDirection: 'INBOUND' },
      ),
    );
  dp = testDataplane({ portMap: { 15001: outPort, 15006: inPort }, appPorts: [{ name: 'http-web', port: 9080 }] });
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([app.close(), h2app.close(), tcpApp.close()]);
});

describe('explicit outbound (the app uses the sidecar as its HTTP proxy)', () => {
  it('routes origin-form requests by the Host port too', async () => {
    const r = await request(outPort, '/reviews/1', { host: 'reviews:9080' });
    expect(r.json()).toMatchObject({ name: 'app', url: '/reviews/1' });
  });

  it('speaks HTTP/2 to an HTTP/2 cluster for an HTTP/1.1 client', async () => {
    const r = await request(outPort, 'http://grpc:7070/h2', { host: 'grpc:7070' });
    expect(r.json()).toMatchObject({ name: 'h2app', httpVersion: '2.0' });
  });

  it('passes unknown destinations through to the original destination (ALLOW_ANY)', async () => {
    const r = await request(outPort, `http://127.0.0.1:${app.port}/direct`, { host: `127.0.0.1:${app.port}` });
    expect(r.json()).toMatchObject({ name: 'app', url: '/direct' });
  });

  it('tunnels CONNECT to a TCP service through its listener', async () => {
    const sock = net.connect(outPort, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d));
    sock.write('CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n');
    for (let i = 0; i < 100 && !got.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toMatch(/^HTTP\/1.1 200/);
    sock.write('select 1');
    for (let i = 0; i < 100 && !got.endsWith('select 1'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('HTTP/1.1 200 Connection Established\r\n\r\ndb:select 1');
    sock.destroy();
  });
});

describe('explicit inbound (no original destination)', () => {
  it('picks the filter chain by the request target port and reaches the app', async () => {
    const r = await request(inPort, '/in', { host: 'reviews:9080' });
    expect(r.json()).toMatchObject({ name: 'app', url: '/in' });
  });

  it('falls back to the only HTTP port of the workload when the Host has no port', async () => {
    const r = await request(inPort, '/in2', { host: 'reviews' });
    expect(r.json()).toMatchObject({ name: 'app', url: '/in2' });
  });

  it('accepts h2c from a peer sidecar', async () => {
    const c = http2.connect(`http://127.0.0.1:${inPort}`);
    const body = await new Promise<string>((resolve, reject) => {
      const req = c.request({ ':path': '/h2in', ':authority': 'reviews:9080' });
      let b = '';
      req.on('data', (d: Buffer) => (b += d));
      req.on('end', () => resolve(b));
      req.on('error', reject);
    });
    c.close();
    expect(JSON.parse(body)).toMatchObject({ name: 'app', url: '/h2in' });
  });

  it('records inbound metrics with reporter=destination and the caller from peer metadata', async () => {
    // A request through our own outbound side carries our peer metadata to the inbound side.
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: inPort, path: '/peer', headers: { host: 'reviews:9080', 'x-envoy-peer-metadata': dp.peerHeaders!.metadata, 'x-envoy-peer-metadata-id': dp.peerHeaders!.id } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
    expect(dp.metrics.render()).toMatch(/istio_requests_total\{reporter="destination",source_workload="test",source_workload_namespace="default",source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/default",[^}]*destination_workload="test"/);
  });
});
