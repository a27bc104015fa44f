// Test doubles for the data plane (not part of the public surface): a fake
// config source that decodes Envoy-shaped objects exactly like resources
// from Pilot, Envoy-shaped builders named the Istio way, and small upstream
// servers that echo and misbehave on request.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { decodeEnvoyResource, type ConfigSnapshot, type ResourceKind, type ResourceValueMap } from '@sextant/xds-client';
import { Dataplane, type DataplaneOptions } from './dataplane';

export class FakeConfigSource {
  private version = 0;
  private readonly tables: { [K in ResourceKind]: Map<string, ResourceValueMap[K]> } = {
    listener: new Map(),
    route: new Map(),
    vhost: new Map(),
    cluster: new Map(),
    endpoint: new Map(),
    secret: new Map(),
  };

  /** Decodes Envoy-shaped objects; throws with the decoder's errors when one is invalid. */
  set<K extends ResourceKind>(kind: K, ...objects: object[]): this {
    for (const o of objects) {
      const d = decodeEnvoyResource(kind, o);
      if (!d.result.valid) throw new Error(`invalid ${kind}: ${d.result.errors.join('; ')}`);
      this.tables[kind].set(d.name, d.result.value as never);
    }
    return this;
  }

  remove(kind: ResourceKind, ...names: string[]): this {
    for (const n of names) this.tables[kind].delete(n);
    return this;
  }

  snapshot(): ConfigSnapshot {
    return {
      version: ++this.version,
      listeners: new Map(this.tables.listener),
      routes: new Map(this.tables.route),
      clusters: new Map(this.tables.cluster),
      endpoints: new Map(this.tables.endpoint),
      secrets: new Map(this.tables.secret),
    };
  }
}

export const SELF = {
  id: 'sidecar~127.0.0.1~test-0.default~default.svc.cluster.local',
  instance: 'test-0',
  namespace: 'default',
  workloadName: 'test',
  serviceAccount: 'default',
  labels: { app: 'test', version: 'v1' },
  clusterId: 'Kubernetes',
  trustDomain: 'cluster.local',
};

export function testDataplane(opts: Partial<DataplaneOptions> = {}): Dataplane {
  return new Dataplane({ mode: 'sidecar', self: SELF, workloadAddress: '127.0.0.1', sniffTimeoutMs: 200, ...opts });
}

// Envoy-shaped builders ---------------------------------------------------------

const ROUTER = { name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } };
export const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
export const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
export const CORS_POLICY_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
export const LRL_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
export const HTTP_OPTIONS_TYPE = 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export function hcm(routes: { rds: string } | { inline: object }, opts: { filters?: object[]; statPrefix?: string; extra?: object } = {}): object {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typedConfig: {
      '@type': EXTENSION_TYPE_URL.httpConnectionManager,
      statPrefix: opts.statPrefix ?? 'test',
      ...('rds' in routes ? { rds: { routeConfigName: routes.rds, configSource: { ads: {} } } } : { routeConfig: routes.inline }),
      httpFilters: [...(opts.filters ?? []), ROUTER],
      upgradeConfigs: [{ upgradeType: 'websocket' }],
      ...opts.extra,
    },
  };
}

export function tcpProxy(cluster: string, extra: object = {}): object {
  return { name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': EXTENSION_TYPE_URL.tcpProxy, statPrefix: cluster, cluster, ...extra } };
}

export function listener(name: string, port: number, filterChains: object[], extra: object = {}): object {
  return { name, address: { socketAddress: { address: '127.0.0.1', portValue: port } }, filterChains, ...extra };
}

export function httpListener(name: string, port: number, routes: { rds: string } | { inline: object }, opts: { filters?: object[]; extra?: object } = {}): object {
  return listener(name, port, [{ filters: [hcm(routes, opts)] }]);
}

export function staticCluster(name: string, endpoints: number[] | [string, number][], extra: object = {}): object {
  return { name, type: 'STATIC', connectTimeout: { seconds: 1 }, loadAssignment: cla(name, endpoints), ...extra };
}

export function cla(name: string, endpoints: number[] | [string, number][], extra: (i: number) => object = () => ({})): object {
  return {
    clusterName: name,
    endpoints: [
      {
        lbEndpoints: endpoints.map((e, i) => {
          const [address, port] = typeof e === 'number' ? ['127.0.0.1', e] : e;
          return { endpoint: { address: { socketAddress: { address, portValue: port } } }, ...extra(i) };
        }),
      },
    ],
  };
}

export function edsCluster(name: string, extra: object = {}): object {
  return { name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, serviceName: name }, connectTimeout: { seconds: 1 }, ...extra };
}

export function routeConfig(name: string, virtualHosts: object[], extra: object = {}): object {
  return { name, virtualHosts, ...extra };
}

export function vhost(domains: string[], routes: object[], extra: object = {}): object {
  return { name: domains[0] ?? 'vh', domains, routes, ...extra };
}

export function route(prefix: string, action: object, extra: object = {}): object {
  return { match: { prefix }, route: { timeout: { seconds: 0 }, ...action }, ...extra };
}

// Upstreams ------------------------------------------------------------------------

export interface Upstream {
  name: string;
  port: number;
  /** Requests seen, by x-echo-id when given. */
  seen: Map<string, number>;
  total: number;
  close(): Promise<void>;
}

/**
 * An HTTP/1.1 + h2c echo upstream. Control headers: x-echo-status (answer with it),
 * x-echo-delay-ms, x-echo-fail-first (with x-echo-id: the first N get 503),
 * x-echo-body-bytes (fixed-size body).
 */
export async function startUpstream(name: string, opts: { h2?: boolean } = {}): Promise<Upstream> {
  const seen = new Map<string, number>();
  const state = { total: 0 };
  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.total++;
      const h = req.headers;
      const id = String(h['x-echo-id'] ?? '');
      const attempt = (seen.get(id) ?? 0) + 1;
      if (id) seen.set(id, attempt);
      const failFirst = Number(h['x-echo-fail-first'] ?? 0);
      let status = Number(h['x-echo-status'] ?? 200);
      if (id && attempt <= failFirst) status = 503;
      const delay = Number(h['x-echo-delay-ms'] ?? 0);
      const size = h['x-echo-body-bytes'] !== undefined ? Number(h['x-echo-body-bytes']) : -1;
      const body =
        size >= 0
          ? Buffer.alloc(size, 'x')
          : Buffer.from(JSON.stringify({ name, method: req.method, url: req.url, headers: h, body: Buffer.concat(chunks).toString(), attempt, httpVersion: req.httpVersion }));
      setTimeout(() => {
        (res as http.ServerResponse).writeHead(status, { 'content-type': size >= 0 ? 'text/plain' : 'application/json', 'x-upstream': name, 'content-length': String(body.length) });
        res.end(body);
      }, delay);
    });
  };
  const server = opts.h2 ? http2.createServer(handler as never) : http.createServer(handler as never);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    name,
    port,
    seen,
    get total() {
      return state.total;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A TCP upstream that writes back every byte, prefixed with its name once. */
export async function startTcpEcho(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.write(`${name}:`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function freePorts(n: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((resolve) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => {
            const p = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(p));
          });
        }),
    ),
  );
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTP/1.1 request with a keep-alive agent (or a fresh connection). */
export function request(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent | false; host?: string } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: opts.host ?? 'svc', ...opts.headers }, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
