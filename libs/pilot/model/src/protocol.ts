// Port protocols, as Istio names them, and how a protocol is read from a port
// name (`http-web`, `grpc`, `tcp-db`) or an explicit appProtocol.

export const Protocol = {
  HTTP: 'HTTP',
  HTTP2: 'HTTP2',
  HTTP_PROXY: 'HTTP_PROXY',
  GRPC: 'GRPC',
  GRPC_WEB: 'GRPC-Web',
  HTTPS: 'HTTPS',
  TLS: 'TLS',
  TCP: 'TCP',
  MONGO: 'Mongo',
  MYSQL: 'MySQL',
  REDIS: 'Redis',
  UDP: 'UDP',
  /** No recognised prefix: Istio would sniff; Sextant treats it as opaque TCP. */
  UNSUPPORTED: 'UnsupportedProtocol',
} as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

const BY_LOWER: Record<string, Protocol> = {
  http: Protocol.HTTP,
  http2: Protocol.HTTP2,
  h2c: Protocol.HTTP2,
  http_proxy: Protocol.HTTP_PROXY,
  grpc: Protocol.GRPC,
  'grpc-web': Protocol.GRPC_WEB,
  https: Protocol.HTTPS,
  tls: Protocol.TLS,
  tcp: Protocol.TCP,
  mongo: Protocol.MONGO,
  mysql: Protocol.MYSQL,
  redis: Protocol.REDIS,
  udp: Protocol.UDP,
};

/** Parses a protocol name case-insensitively (`http`, `GRPC`, `HTTP2`...); unknown names give UNSUPPORTED. */
export function parseProtocol(name: string | undefined): Protocol {
  if (!name) return Protocol.UNSUPPORTED;
  return BY_LOWER[name.toLowerCase()] ?? Protocol.UNSUPPORTED;
}

/**
 * Istio's protocol selection for a Kubernetes-style port: appProtocol wins
 * (with Kubernetes' `kubernetes.io/h2c` style prefixes), then the port name's
 * prefix before the first `-` (`http-web` -> HTTP, `grpc` -> GRPC).
 */
export function protocolFromPort(name: string | undefined, appProtocol?: string): Protocol {
  if (appProtocol) {
    const ap = appProtocol.replace(/^kubernetes\.io\//, '');
    const p = parseProtocol(ap === 'ws' || ap === 'wss' ? 'http' : ap);
    if (p !== Protocol.UNSUPPORTED) return p;
  }
  if (!name) return Protocol.UNSUPPORTED;
  const lower = name.toLowerCase();
  const prefix = lower.includes('-') ? lower.slice(0, lower.indexOf('-')) : lower;
  return parseProtocol(prefix);
}

/** HTTP/1.1, HTTP/2, gRPC or gRPC-Web: handled by an HTTP connection manager. */
export function isHttpProtocol(p: Protocol): boolean {
  return p === Protocol.HTTP || p === Protocol.HTTP2 || p === Protocol.GRPC || p === Protocol.GRPC_WEB || p === Protocol.HTTP_PROXY;
}

/** Speaks HTTP/2 to the upstream (h2c or gRPC). */
export function isHttp2Protocol(p: Protocol): boolean {
  return p === Protocol.HTTP2 || p === Protocol.GRPC || p === Protocol.GRPC_WEB;
}

export function isGrpcProtocol(p: Protocol): boolean {
  return p === Protocol.GRPC || p === Protocol.GRPC_WEB;
}

/** TLS the proxy does not terminate (routed by SNI). */
export function isTlsProtocol(p: Protocol): boolean {
  return p === Protocol.HTTPS || p === Protocol.TLS;
}

/** Everything that is neither HTTP nor TLS is proxied as opaque TCP. */
export function isTcpProtocol(p: Protocol): boolean {
  return !isHttpProtocol(p) && !isTlsProtocol(p) && p !== Protocol.UDP;
}
