// Type URLs of every typed config translation embeds, and the Envoy .proto
// files that define them (an encoder must load these besides the resource
// types; see ENVOY_PROTOS_FOR_TRANSLATION).

const T = 'type.googleapis.com/';

export const TYPED = {
  httpConnectionManager: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  tcpProxy: `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  fault: `${T}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  cors: `${T}envoy.extensions.filters.http.cors.v3.Cors`,
  corsPolicy: `${T}envoy.extensions.filters.http.cors.v3.CorsPolicy`,
  upstreamTls: `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  downstreamTls: `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  rawBuffer: `${T}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer`,
  httpProtocolOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
  originalDst: `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`,
  tlsInspector: `${T}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`,
  previousHosts: `${T}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate`,
  previousPriorities: `${T}envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig`,
} as const;

/** Well-known filter and extension names, as Envoy and Istio spell them. */
export const FILTER = {
  httpConnectionManager: 'envoy.filters.network.http_connection_manager',
  tcpProxy: 'envoy.filters.network.tcp_proxy',
  router: 'envoy.filters.http.router',
  fault: 'envoy.filters.http.fault',
  cors: 'envoy.filters.http.cors',
  originalDst: 'envoy.filters.listener.original_dst',
  tlsInspector: 'envoy.filters.listener.tls_inspector',
  tlsTransportSocket: 'envoy.transport_sockets.tls',
  rawBufferTransportSocket: 'envoy.transport_sockets.raw_buffer',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  previousHosts: 'envoy.retry_host_predicates.previous_hosts',
  previousPriorities: 'envoy.retry_priorities.previous_priorities',
} as const;

/** Envoy protos (paths under grpc-js-xds's deps/envoy-api) an encoder needs for translation output. */
export const ENVOY_PROTOS_FOR_TRANSLATION: readonly string[] = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto',
];
