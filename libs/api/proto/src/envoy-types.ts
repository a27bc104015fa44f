// Envoy v3 message types, by name. Input types (what you build) and
// `__Output` types (what decoding gives back, defaults filled). Generated
// files live in ./generated (gen-types.sh); add a name here when you need it.
// `Listener` etc. name Envoy's messages; conflicting short names get a prefix.

// xDS transport (envoy.service.discovery.v3)
export type { DiscoveryRequest, DiscoveryRequest__Output } from './generated/envoy/service/discovery/v3/DiscoveryRequest';
export type { DiscoveryResponse, DiscoveryResponse__Output } from './generated/envoy/service/discovery/v3/DiscoveryResponse';
export type { DeltaDiscoveryRequest, DeltaDiscoveryRequest__Output } from './generated/envoy/service/discovery/v3/DeltaDiscoveryRequest';
export type { DeltaDiscoveryResponse, DeltaDiscoveryResponse__Output } from './generated/envoy/service/discovery/v3/DeltaDiscoveryResponse';
export type { Resource as DiscoveryResource, Resource__Output as DiscoveryResource__Output } from './generated/envoy/service/discovery/v3/Resource';

// core (envoy.config.core.v3)
export type { Node, Node__Output } from './generated/envoy/config/core/v3/Node';
export type { Address, Address__Output } from './generated/envoy/config/core/v3/Address';
export type { SocketAddress, SocketAddress__Output } from './generated/envoy/config/core/v3/SocketAddress';
export type { ConfigSource, ConfigSource__Output } from './generated/envoy/config/core/v3/ConfigSource';
export type { Locality, Locality__Output } from './generated/envoy/config/core/v3/Locality';
export type { TransportSocket, TransportSocket__Output } from './generated/envoy/config/core/v3/TransportSocket';
export type { HeaderValueOption, HeaderValueOption__Output } from './generated/envoy/config/core/v3/HeaderValueOption';

// listeners (envoy.config.listener.v3)
export type { Listener, Listener__Output } from './generated/envoy/config/listener/v3/Listener';
export type { FilterChain, FilterChain__Output } from './generated/envoy/config/listener/v3/FilterChain';
export type { FilterChainMatch, FilterChainMatch__Output } from './generated/envoy/config/listener/v3/FilterChainMatch';
export type { Filter as NetworkFilter, Filter__Output as NetworkFilter__Output } from './generated/envoy/config/listener/v3/Filter';
export type { ApiListener, ApiListener__Output } from './generated/envoy/config/listener/v3/ApiListener';

// routes (envoy.config.route.v3)
export type { RouteConfiguration, RouteConfiguration__Output } from './generated/envoy/config/route/v3/RouteConfiguration';
export type { VirtualHost, VirtualHost__Output } from './generated/envoy/config/route/v3/VirtualHost';
export type { Route, Route__Output } from './generated/envoy/config/route/v3/Route';
export type { RouteAction, RouteAction__Output } from './generated/envoy/config/route/v3/RouteAction';
export type { RouteMatch, RouteMatch__Output } from './generated/envoy/config/route/v3/RouteMatch';
export type { WeightedCluster, WeightedCluster__Output } from './generated/envoy/config/route/v3/WeightedCluster';
export type { HeaderMatcher, HeaderMatcher__Output } from './generated/envoy/config/route/v3/HeaderMatcher';

// clusters (envoy.config.cluster.v3)
export type { Cluster, Cluster__Output } from './generated/envoy/config/cluster/v3/Cluster';

// endpoints (envoy.config.endpoint.v3)
export type { ClusterLoadAssignment, ClusterLoadAssignment__Output } from './generated/envoy/config/endpoint/v3/ClusterLoadAssignment';
export type { LocalityLbEndpoints, LocalityLbEndpoints__Output } from './generated/envoy/config/endpoint/v3/LocalityLbEndpoints';
export type { LbEndpoint, LbEndpoint__Output } from './generated/envoy/config/endpoint/v3/LbEndpoint';
export type { Endpoint, Endpoint__Output } from './generated/envoy/config/endpoint/v3/Endpoint';

// secrets and TLS (envoy.extensions.transport_sockets.tls.v3)
export type { Secret, Secret__Output } from './generated/envoy/extensions/transport_sockets/tls/v3/Secret';
export type { UpstreamTlsContext, UpstreamTlsContext__Output } from './generated/envoy/extensions/transport_sockets/tls/v3/UpstreamTlsContext';
export type { DownstreamTlsContext, DownstreamTlsContext__Output } from './generated/envoy/extensions/transport_sockets/tls/v3/DownstreamTlsContext';
export type { CommonTlsContext, CommonTlsContext__Output } from './generated/envoy/extensions/transport_sockets/tls/v3/CommonTlsContext';

// HTTP connection manager
export type { HttpConnectionManager, HttpConnectionManager__Output } from './generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager';
export type { HttpFilter, HttpFilter__Output } from './generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpFilter';
export type { Rds, Rds__Output } from './generated/envoy/extensions/filters/network/http_connection_manager/v3/Rds';

// router filter
export type { Router, Router__Output } from './generated/envoy/extensions/filters/http/router/v3/Router';

// TCP proxy
export type { TcpProxy, TcpProxy__Output } from './generated/envoy/extensions/filters/network/tcp_proxy/v3/TcpProxy';

// well-known
export type { Any, Any__Output } from './generated/google/protobuf/Any';
export type { Duration, Duration__Output } from './generated/google/protobuf/Duration';
export type { Struct, Struct__Output } from './generated/google/protobuf/Struct';
export type { UInt32Value, UInt32Value__Output } from './generated/google/protobuf/UInt32Value';

// status
export type { Status as RpcStatus, Status__Output as RpcStatus__Output } from './generated/google/rpc/Status';
export type {
  AggregatedDiscoveryServiceClient,
  AggregatedDiscoveryServiceHandlers,
} from './generated/envoy/service/discovery/v3/AggregatedDiscoveryService';
