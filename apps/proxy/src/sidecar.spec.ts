// The built proxy as a sidecar against a small SotW ADS server written here
// (independent of the client's own fake): explicit outbound proxying by
// port, Envoy-like admin, NACK with the last good config kept, and a drain
// on SIGTERM that lets an in-flight request finish.
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { adsServiceDefinition, EXTENSION_TYPE_URL, packAny, TYPE_URL, type DiscoveryRequest__Output } from '@sextant/proto';
import { buildApp, startApp, waitForHttp, type RunningApp } from '@sextant/testing';
import { freePort, waitFor } from '@sextant/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local';

class TinyAds {
  readonly requests: DiscoveryRequest__Output[] = [];
  private readonly resources = new Map<string, { type_url: string; value: Buffer }[]>();
  private readonly streams = new Set<grpc.ServerDuplexStream<DiscoveryRequest__Output, object>>();
  private version = 1;
  server = new grpc.Server();
  port = 0;

  set(typeUrl: string, objects: object[]): void {
    this.resources.set(typeUrl, objects.map((o) => packAny(typeUrl, o)));
    this.version++;
  }

  push(typeUrl: string): void {
    for (const s of this.streams) this.send(s, typeUrl);
  }

  private send(s: grpc.ServerDuplexStream<DiscoveryRequest__Output, object>, typeUrl: string): void {
    s.write({ versionInfo: String(this.version), typeUrl, nonce: `${typeUrl}-${this.version}`, resources: this.resources.get(typeUrl) ?? [] });
  }

  async start(): Promise<void> {
    this.server.addService(adsServiceDefinition().service, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest__Output, object>) => {
        this.streams.add(call);
        const asked = new Set<string>();
        call.on('data', (req: DiscoveryRequest__Output) => {
          this.requests.push(req);
          if (!asked.has(req.typeUrl)) {
            asked.add(req.typeUrl);
            this.send(call, req.typeUrl);
          }
        });
        call.on('end', () => {
          this.streams.delete(call);
          call.end();
        });
        call.on('error', () => this.streams.delete(call));
      },
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<object, object>) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'SotW only' }),
    });
    this.port = await new Promise<number>((r, j) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  }
}

function routeConfig(prefix: string): object {
  return { name: '9080', virtualHosts: [{ name: 'reviews', domains: ['reviews', 'reviews:9080'], routes: [{ match: { prefix }, route: { cluster: CLUSTER, timeout: { seconds: 0 } } }] }] };
}

let ads: TinyAds;
let upstream: http.Server;
let app: RunningApp;
let ports: { admin: number; health: number; outbound: number; inbound: number };

function viaSidecar(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ports.outbound, path: `http://reviews:9080${path}`, headers: { host: 'reviews:9080', ...headers }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  buildApp('proxy');
  upstream = http.createServer((req, res) => {
    const delay = Number(req.headers['x-delay-ms'] ?? 0);
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(`reviews ${req.url}`), delay);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upPort = (upstream.address() as AddressInfo).port;
  ads = new TinyAds();
  ads.set(TYPE_URL.cluster, [{ name: CLUSTER, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, serviceName: CLUSTER }, connectTimeout: { seconds: 1 } }]);
  ads.set(TYPE_URL.endpoint, [{ clusterName: CLUSTER, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: upPort } } } }] }] }]);
  ads.set(TYPE_URL.listener, [
    {
      name: '0.0.0.0_9080',
      address: { socketAddress: { address: '0.0.0.0', portValue: 9080 } },
      bindToPort: { value: false },
      trafficDirection: 'OUTBOUND',
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typedConfig: {
                '@type': EXTENSION_TYPE_URL.httpConnectionManager,
                statPrefix: 'outbound_0.0.0.0_9080',
                rds: { routeConfigName: '9080', configSource: { ads: {} } },
                httpFilters: [{ name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } }],
              },
            },
          ],
        },
      ],
    },
  ]);
  ads.set(TYPE_URL.route, [routeConfig('/')]);
  await ads.start();
  ports = { admin: await freePort(), health: await freePort(), outbound: await freePort(), inbound: await freePort() };
  app = startApp('apps/proxy', ['--mode', 'sidecar', '--xds-protocol', 'auto'], {
    NATS_URL: 'nats://127.0.0.1:1',
    SEXTANT_ADMIN_PORT: String(ports.admin),
    PROXY_HEALTH_PORT: String(ports.health),
    PROXY_OUTBOUND_PORT: String(ports.outbound),
    PROXY_INBOUND_PORT: String(ports.inbound),
    PILOT_ADDRESS: `127.0.0.1:${ads.port}`,
    SEXTANT_WORKLOAD: 'productpage-v1',
    SEXTANT_SERVICE: 'productpage',
    SEXTANT_INSTANCE: 'productpage-v1-0',
    SEXTANT_ADDRESS: '127.0.0.1',
    SEXTANT_LABELS: JSON.stringify({ app: 'productpage', version: 'v1' }),
    SEXTANT_PORTS: JSON.stringify([{ name: 'http', port: 9080, protocol: 'HTTP' }]),
    PROXY_DRAIN_DURATION: '3s',
  });
  try {
    await waitForHttp(`http://127.0.0.1:${ports.health}/healthz/ready`, 200, 20_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${app.output()}`);
  }
}, 60_000);

afterAll(async () => {
  if (app && app.process.exitCode === null) await app.stop('SIGKILL');
  ads?.server.forceShutdown();
  upstream?.close();
});

describe('proxy as a sidecar', () => {
  it('introduced itself to Pilot the Istio way and ACKed', () => {
    const first = ads.requests.find((r) => r.node);
    expect(first?.node?.id).toBe('sidecar~127.0.0.1~productpage-v1-0.default~default.svc.cluster.local');
    expect(ads.requests.some((r) => r.typeUrl === TYPE_URL.listener && r.responseNonce && !r.errorDetail)).toBe(true);
  });

  it('proxies the app\'s absolute-form requests by target port and host', async () => {
    const r = await viaSidecar('/reviews/0');
    expect(r.status).toBe(200);
    expect(r.body).toBe('reviews /reviews/0');
  });

  it('serves Envoy-like admin endpoints', async () => {
    const dump = (await (await fetch(`http://127.0.0.1:${ports.admin}/config_dump`)).json()) as { configs: { type: string; resources: { name: string }[] }[] };
    expect(dump.configs.find((c) => c.type === 'lds')?.resources.map((r) => r.name)).toContain('0.0.0.0_9080');
    const prom = await (await fetch(`http://127.0.0.1:${ports.admin}/stats/prometheus`)).text();
    expect(prom).toMatch(/istio_requests_total\{reporter="source",source_workload="productpage-v1"[^}]*destination_service="reviews.default.svc.cluster.local"[^}]*response_code="200"/);
    expect((await fetch(`http://127.0.0.1:${ports.admin}/ready`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${ports.admin}/clusters`)).text()).toContain(`${CLUSTER}::127.0.0.1:`);
  });

  it('NACKs a bad route configuration with the reason and keeps routing', async () => {
    ads.set(TYPE_URL.route, [{ name: '9080', virtualHosts: [{ name: 'reviews', domains: ['reviews'], routes: [{ match: { safeRegex: { regex: '(' } }, route: { cluster: CLUSTER } }] }] }]);
    ads.push(TYPE_URL.route);
    const nack = await waitFor(() => ads.requests.find((r) => r.typeUrl === TYPE_URL.route && r.errorDetail), { timeoutMs: 5_000, what: 'NACK' });
    expect(nack.errorDetail?.message).toMatch(/RouteConfiguration\[9080\].*safeRegex.*invalid RE2 regex/);
    expect((await viaSidecar('/reviews/1')).status).toBe(200);
  });

  it('drains on SIGTERM: the in-flight request finishes, then the process exits 0', async () => {
    const inflight = viaSidecar('/slow', { 'x-delay-ms': '700' });
    await new Promise((r) => setTimeout(r, 150));
    const stopped = app.stop('SIGTERM', 10_000);
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.body).toBe('reviews /slow');
    const { code } = await stopped;
    expect(code).toBe(0);
    expect(app.output()).toContain('"msg":"draining"');
  });
});
