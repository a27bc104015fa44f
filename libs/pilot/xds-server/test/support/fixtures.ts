// Hand-built Envoy resources for an "echo" service, the way Pilot would
// build them for proxyless gRPC: API listener -> RDS route -> EDS cluster.
import * as grpc from '@grpc/grpc-js';
import type { Cluster, ClusterLoadAssignment, HttpConnectionManager, Listener, RouteConfiguration } from '@sextant/proto';
import { EXTENSION_TYPE_URL, TYPE_URL, typedAny } from '@sextant/proto';
import { silentLogger } from '@sextant/util';
import { type AdsServer, type AdsServerOptions, type ProxyInfo, type PushRequest, type Snapshot, type SnapshotSource, addAdsService, resourcesOf } from '../../src/index';

export const ECHO = {
  host: 'echo.default.svc.cluster.local',
  listener: 'echo.default.svc.cluster.local:7070',
  route: 'echo-route',
  cluster: 'outbound|7070||echo.default.svc.cluster.local',
} as const;

const router = { name: 'envoy.filters.http.router', typedConfig: typedAny(EXTENSION_TYPE_URL.router, {}) };

export function routeConfig(name: string, clusters: string[], domains = ['*']): RouteConfiguration {
  return {
    name,
    virtualHosts: [
      {
        name: `${name}-vh`,
        domains,
        routes: [
          {
            match: { prefix: '' },
            route:
              clusters.length === 1
                ? { cluster: clusters[0]! }
                : { weightedClusters: { clusters: clusters.map((c) => ({ name: c, weight: { value: 1 } })) } },
          },
        ],
      },
    ],
  };
}

/** An API listener (proxyless gRPC) whose HTTP connection manager uses RDS, or an inline route. */
export function apiListener(name: string, route: string | RouteConfiguration): Listener {
  return {
    name,
    apiListener: {
      apiListener: typedAny<HttpConnectionManager>(EXTENSION_TYPE_URL.httpConnectionManager, {
        statPrefix: name,
        ...(typeof route === 'string' ? { rds: { routeConfigName: route, configSource: { ads: {} } } } : { routeConfig: route }),
        httpFilters: [router],
      }),
    },
  };
}

export function edsCluster(name: string, lbPolicy = 'ROUND_ROBIN'): Cluster {
  return { name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} } }, lbPolicy: lbPolicy as Cluster['lbPolicy'], connectTimeout: { seconds: 1 } };
}

export function cla(clusterName: string, endpoints: { host: string; port: number }[]): ClusterLoadAssignment {
  return {
    clusterName,
    endpoints: endpoints.length
      ? [
          {
            locality: { region: 'local', zone: 'a', subZone: '' },
            loadBalancingWeight: { value: 1 },
            lbEndpoints: endpoints.map((e) => ({
              endpoint: { address: { socketAddress: { address: e.host, portValue: e.port } } },
              healthStatus: 'HEALTHY' as const,
            })),
          },
        ]
      : [],
  };
}

export interface EchoConfig {
  listeners?: Listener[];
  routes?: RouteConfiguration[];
  clusters?: Cluster[];
  endpoints?: ClusterLoadAssignment[];
}

export function snapshot(c: EchoConfig): Snapshot {
  const m = new Map();
  if (c.listeners) m.set(TYPE_URL.listener, resourcesOf(TYPE_URL.listener, c.listeners));
  if (c.routes) m.set(TYPE_URL.route, resourcesOf(TYPE_URL.route, c.routes));
  if (c.clusters) m.set(TYPE_URL.cluster, resourcesOf(TYPE_URL.cluster, c.clusters));
  if (c.endpoints) m.set(TYPE_URL.endpoint, resourcesOf(TYPE_URL.endpoint, c.endpoints));
  return m;
}

/** The echo service's full config pointing at `port`. */
export function echoSnapshot(port: number, overrides: Partial<EchoConfig> = {}): Snapshot {
  return snapshot({
    listeners: [apiListener(ECHO.listener, ECHO.route)],
    routes: [routeConfig(ECHO.route, [ECHO.cluster])],
    clusters: [edsCluster(ECHO.cluster)],
    endpoints: [cla(ECHO.cluster, [{ host: '127.0.0.1', port }])],
    ...overrides,
  } as EchoConfig);
}

/** A source that serves one snapshot to everyone and records its calls. */
export class MutableSource implements SnapshotSource {
  calls: { proxy: string; changedTypes?: string[]; request?: PushRequest }[] = [];
  constructor(public snapshot: Snapshot) {}
  snapshotFor(proxy: ProxyInfo, changedTypes?: ReadonlySet<string>, request?: PushRequest): Snapshot {
    this.calls.push({ proxy: proxy.id, ...(changedTypes ? { changedTypes: [...changedTypes] } : {}), ...(request ? { request } : {}) });
    if (!changedTypes) return this.snapshot;
    return new Map([...this.snapshot].filter(([t]) => changedTypes.has(t)));
  }
}

export interface Harness {
  server: grpc.Server;
  ads: AdsServer;
  port: number;
  stop(): Promise<void>;
}

export async function startAds(source: SnapshotSource, options: Partial<AdsServerOptions> = {}): Promise<Harness> {
  const server = new grpc.Server();
  const ads = addAdsService(server, { source, logger: silentLogger(), ...options });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    server,
    ads,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        ads.close();
        server.forceShutdown();
        resolve();
      }),
  };
}

export const node = (id = 'sidecar~10.0.0.1~echo-client-1.default~default.svc.cluster.local') => ({ id, cluster: 'echo-client' });
