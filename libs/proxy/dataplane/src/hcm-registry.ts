// HCM runtimes, one per connection-manager config object (reused while the
// config is unchanged), plus the synthetic ones the explicit proxy needs:
// "route configuration named by port" and "passthrough to a cluster".
import type { HttpConnectionManagerConfig, RouteConfig } from '@sextant/xds-client';
import { HcmRuntime, type Direction } from './http-context';

const runtimes = new WeakMap<HttpConnectionManagerConfig, HcmRuntime>();

export function hcmRuntime(config: HttpConnectionManagerConfig, direction: Direction, listenerName: string): HcmRuntime {
  let rt = runtimes.get(config);
  if (!rt || rt.direction !== direction) {
    rt = new HcmRuntime(config, direction, listenerName);
    runtimes.set(config, rt);
  }
  return rt;
}

export function syntheticHcm(statPrefix: string, routes: HttpConnectionManagerConfig['routes']): HttpConnectionManagerConfig {
  return {
    kind: 'http',
    statPrefix,
    codec: 'AUTO',
    routes,
    httpFilters: [{ kind: 'router', name: 'envoy.filters.http.router' }],
    useRemoteAddress: false,
    xffNumTrustedHops: 0,
    skipXffAppend: false,
    generateRequestId: true,
    preserveExternalRequestId: false,
    alwaysSetRequestIdInResponse: false,
    upgrades: ['websocket'],
    streamIdleTimeoutMs: 300_000,
    requestTimeoutMs: 0,
    requestHeadersTimeoutMs: 0,
    idleTimeoutMs: 3_600_000,
    maxRequestsPerConnection: 0,
    drainTimeoutMs: 5_000,
    normalizePath: false,
    mergeSlashes: false,
    stripAnyHostPort: false,
    serverName: 'envoy',
    serverHeader: 'PASS_THROUGH',
    accessLog: false,
    via: '',
  };
}

/** A route configuration sending everything to one cluster without a timeout (Istio's passthrough). */
export function passthroughRoutes(cluster: string): RouteConfig {
  const empty = { requestAdd: [], requestRemove: [], responseAdd: [], responseRemove: [] };
  return {
    name: `passthrough:${cluster}`,
    headers: empty,
    perFilter: { disabled: [] },
    ignorePortInHostMatching: false,
    mirrors: [],
    internalOnlyHeaders: [],
    virtualHosts: [
      {
        name: 'allow_any',
        domains: ['*'],
        headers: empty,
        perFilter: { disabled: [] },
        mirrors: [],
        includeRequestAttemptCount: false,
        includeAttemptCountInResponse: false,
        routes: [
          {
            name: 'allow_any',
            match: { path: { kind: 'prefix', value: '/' }, caseSensitive: true, headers: [], queryParameters: [], grpc: false },
            action: { kind: 'route', cluster: { kind: 'cluster', name: cluster }, clusterNotFoundCode: 503, timeoutMs: 0, idleTimeoutMs: 0, mirrors: [], hashPolicy: [], upgrades: {}, grpcTimeoutOffsetMs: 0 },
            headers: empty,
            perFilter: { disabled: [] },
          },
        ],
      },
    ],
  };
}

const synthetic = new Map<string, HcmRuntime>();

/** A cached synthetic runtime (keyed by what it does). */
export function syntheticRuntime(key: string, direction: Direction, make: () => HttpConnectionManagerConfig): HcmRuntime {
  let rt = synthetic.get(key);
  if (!rt) {
    rt = new HcmRuntime(make(), direction, key);
    if (synthetic.size > 256) synthetic.clear();
    synthetic.set(key, rt);
  }
  return rt;
}
