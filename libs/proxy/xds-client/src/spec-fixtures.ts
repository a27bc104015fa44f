// Envoy-shaped resources named the way Istio names them, for specs.
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import type { ProxyIdentity } from './node-identity';

export const IDENTITY: ProxyIdentity = {
  kind: 'sidecar',
  ip: '127.0.0.9',
  instance: 'reviews-v1-0',
  namespace: 'default',
  workloadName: 'reviews-v1',
  serviceAccount: 'bookinfo-reviews',
  labels: { app: 'reviews', version: 'v1' },
  appPorts: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
  proxyPorts: { outbound: 15001, inbound: 15006, admin: 15000 },
  interceptionMode: 'NONE',
  version: '0.1.0',
};

export function edsCluster(name: string, extra: object = {}): object {
  return {
    name,
    type: 'EDS',
    edsClusterConfig: { edsConfig: { ads: {} }, serviceName: name },
    connectTimeout: { seconds: 1 },
    lbPolicy: 'ROUND_ROBIN',
    ...extra,
  };
}

export function cla(name: string, endpoints: [string, number][]): object {
  return {
    clusterName: name,
    endpoints: [{ lbEndpoints: endpoints.map(([address, port]) => ({ endpoint: { address: { socketAddress: { address, portValue: port } } } })) }],
  };
}

export function httpListener(port: number, routeName = String(port), extraFilters: object[] = []): object {
  return {
    name: `0.0.0.0_${port}`,
    address: { socketAddress: { address: '0.0.0.0', portValue: port } },
    bindToPort: { value: false },
    trafficDirection: 'OUTBOUND',
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: {
              '@type': EXTENSION_TYPE_URL.httpConnectionManager,
              statPrefix: `outbound_0.0.0.0_${port}`,
              rds: { routeConfigName: routeName, configSource: { ads: {} } },
              httpFilters: [...extraFilters, { name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } }],
            },
          },
        ],
      },
    ],
  };
}

export function routeConfig(name: string, virtualHosts: object[]): object {
  return { name, virtualHosts };
}

export function vhost(name: string, domains: string[], routes: object[]): object {
  return { name, domains, routes };
}

export function routeTo(cluster: string, prefix = '/', extra: object = {}): object {
  return { match: { prefix }, route: { cluster, ...extra } };
}
