// Resource names, as Istio names them. Cluster names are
// `direction|port|subset|host`; route configurations are named by port.

export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
export const VIRTUAL_OUTBOUND_LISTENER = 'virtualOutbound';
export const VIRTUAL_INBOUND_LISTENER = 'virtualInbound';
export const HTTP_PROXY_ROUTE = 'http_proxy';

export type Direction = 'outbound' | 'inbound';

/** `outbound|9080|v1|reviews.default.svc.cluster.local`; `inbound|9080||`. */
export function clusterName(direction: Direction, port: number, subset: string, host: string): string {
  return `${direction}|${port}|${subset}|${host}`;
}

export function outboundCluster(host: string, port: number, subset = ''): string {
  return clusterName('outbound', port, subset, host);
}

export function inboundCluster(port: number): string {
  return clusterName('inbound', port, '', '');
}

export interface ParsedClusterName {
  direction: Direction;
  port: number;
  subset: string;
  host: string;
}

/** Parses a `direction|port|subset|host` name; undefined for other names. */
export function parseClusterName(name: string): ParsedClusterName | undefined {
  const parts = name.split('|');
  if (parts.length !== 4 || (parts[0] !== 'outbound' && parts[0] !== 'inbound') || !/^\d+$/.test(parts[1]!)) return undefined;
  return { direction: parts[0], port: Number(parts[1]), subset: parts[2]!, host: parts[3]! };
}

/** Istio's SNI for ISTIO_MUTUAL: `outbound_.9080_.v1_.reviews.default.svc.cluster.local`. */
export function istioMtlsSni(host: string, port: number, subset: string): string {
  return `outbound_.${port}_.${subset}_.${host}`;
}

/** Sidecar outbound listener names: `0.0.0.0_9080`, `240.240.1.2_3306`. */
export function listenerName(address: string, port: number): string {
  return `${address}_${port}`;
}

/** Gateway route configuration names: `http.8080`; TLS-terminating servers: `https.443.<portName>.<gateway>.<ns>`. */
export function gatewayHttpRouteName(port: number): string {
  return `http.${port}`;
}

export function gatewayHttpsRouteName(port: number, portName: string, gateway: string, namespace: string): string {
  return `https.${port}.${portName}.${gateway}.${namespace}`;
}

/** Proxyless gRPC listener (and route) name: the client's target authority `host:port`. */
export function grpcListenerName(host: string, port: number): string {
  return `${host}:${port}`;
}
