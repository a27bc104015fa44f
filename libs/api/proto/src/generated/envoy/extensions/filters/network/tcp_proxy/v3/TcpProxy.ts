// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../../../google/protobuf/Duration';
import type { AccessLog as _envoy_config_accesslog_v3_AccessLog, AccessLog__Output as _envoy_config_accesslog_v3_AccessLog__Output } from '../../../../../../envoy/config/accesslog/v3/AccessLog';
import type { UInt32Value as _google_protobuf_UInt32Value, UInt32Value__Output as _google_protobuf_UInt32Value__Output } from '../../../../../../google/protobuf/UInt32Value';
import type { Metadata as _envoy_config_core_v3_Metadata, Metadata__Output as _envoy_config_core_v3_Metadata__Output } from '../../../../../../envoy/config/core/v3/Metadata';
import type { HashPolicy as _envoy_type_v3_HashPolicy, HashPolicy__Output as _envoy_type_v3_HashPolicy__Output } from '../../../../../../envoy/type/v3/HashPolicy';
import type { HeaderValueOption as _envoy_config_core_v3_HeaderValueOption, HeaderValueOption__Output as _envoy_config_core_v3_HeaderValueOption__Output } from '../../../../../../envoy/config/core/v3/HeaderValueOption';
import type { ConfigSource as _envoy_config_core_v3_ConfigSource, ConfigSource__Output as _envoy_config_core_v3_ConfigSource__Output } from '../../../../../../envoy/config/core/v3/ConfigSource';

export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster_ClusterWeight {
  /**
   * Name of the upstream cluster.
   */
  'name'?: (string);
  /**
   * When a request matches the route, the choice of an upstream cluster is
   * determined by its weight. The sum of weights across all entries in the
   * clusters array determines the total weight.
   */
  'weight'?: (number);
  /**
   * Optional endpoint metadata match criteria used by the subset load balancer. Only endpoints
   * in the upstream cluster with metadata matching what is set in this field will be considered
   * for load balancing. Note that this will be merged with what's provided in
   * :ref:`TcpProxy.metadata_match
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.metadata_match>`, with values
   * here taking precedence. The filter name should be specified as ``envoy.lb``.
   */
  'metadataMatch'?: (_envoy_config_core_v3_Metadata | null);
}

export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster_ClusterWeight__Output {
  /**
   * Name of the upstream cluster.
   */
  'name': (string);
  /**
   * When a request matches the route, the choice of an upstream cluster is
   * determined by its weight. The sum of weights across all entries in the
   * clusters array determines the total weight.
   */
  'weight': (number);
  /**
   * Optional endpoint metadata match criteria used by the subset load balancer. Only endpoints
   * in the upstream cluster with metadata matching what is set in this field will be considered
   * for load balancing. Note that this will be merged with what's provided in
   * :ref:`TcpProxy.metadata_match
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.metadata_match>`, with values
   * here taking precedence. The filter name should be specified as ``envoy.lb``.
   */
  'metadataMatch': (_envoy_config_core_v3_Metadata__Output | null);
}

export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_OnDemand {
  /**
   * An optional configuration for on-demand cluster discovery
   * service. If not specified, the on-demand cluster discovery will
   * be disabled. When it's specified, the filter will pause a request
   * to an unknown cluster and will begin a cluster discovery
   * process. When the discovery is finished (successfully or not),
   * the request will be resumed.
   */
  'odcdsConfig'?: (_envoy_config_core_v3_ConfigSource | null);
  /**
   * xdstp:// resource locator for on-demand cluster collection.
   * [#not-implemented-hide:]
   */
  'resourcesLocator'?: (string);
  /**
   * The timeout for on demand cluster lookup. If the CDS cannot return the required cluster,
   * the downstream request will be closed with the error code detail NO_CLUSTER_FOUND.
   * [#not-implemented-hide:]
   */
  'timeout'?: (_google_protobuf_Duration | null);
}

export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_OnDemand__Output {
  /**
   * An optional configuration for on-demand cluster discovery
   * service. If not specified, the on-demand cluster discovery will
   * be disabled. When it's specified, the filter will pause a request
   * to an unknown cluster and will begin a cluster discovery
   * process. When the discovery is finished (successfully or not),
   * the request will be resumed.
   */
  'odcdsConfig': (_envoy_config_core_v3_ConfigSource__Output | null);
  /**
   * xdstp:// resource locator for on-demand cluster collection.
   * [#not-implemented-hide:]
   */
  'resourcesLocator': (string);
  /**
   * The timeout for on demand cluster lookup. If the CDS cannot return the required cluster,
   * the downstream request will be closed with the error code detail NO_CLUSTER_FOUND.
   * [#not-implemented-hide:]
   */
  'timeout': (_google_protobuf_Duration__Output | null);
}

export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TcpAccessLogOptions {
  /**
   * The interval to flush access log. The TCP proxy will flush only one access log when the connection
   * is closed by default. If this field is set, the TCP proxy will flush access log periodically with
   * the specified interval.
   * The interval must be at least 1ms.
   */
  'accessLogFlushInterval'?: (_google_protobuf_Duration | null);
  /**
   * If set to true, access log will be flushed when the TCP proxy has successfully established a
   * connection with the upstream. If the connection failed, the access log will not be flushed.
   */
  'flushAccessLogOnConnected'?: (boolean);
}

export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TcpAccessLogOptions__Output {
  /**
   * The interval to flush access log. The TCP proxy will flush only one access log when the connection
   * is closed by default. If this field is set, the TCP proxy will flush access log periodically with
   * the specified interval.
   * The interval must be at least 1ms.
   */
  'accessLogFlushInterval': (_google_protobuf_Duration__Output | null);
  /**
   * If set to true, access log will be flushed when the TCP proxy has successfully established a
   * connection with the upstream. If the connection failed, the access log will not be flushed.
   */
  'flushAccessLogOnConnected': (boolean);
}

/**
 * Configuration for tunneling TCP over other transports or application layers.
 * Tunneling is supported over both HTTP/1.1 and HTTP/2. Upstream protocol is
 * determined by the cluster configuration.
 * [#next-free-field: 7]
 */
export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TunnelingConfig {
  /**
   * The hostname to send in the synthesized CONNECT headers to the upstream proxy.
   * This field evaluates command operators if set, otherwise returns hostname as is.
   * 
   * Example: dynamically set hostname using downstream SNI
   * 
   * .. code-block:: yaml
   * 
   * tunneling_config:
   * hostname: "%REQUESTED_SERVER_NAME%:443"
   * 
   * Example: dynamically set hostname using dynamic metadata
   * 
   * .. code-block:: yaml
   * 
   * tunneling_config:
   * hostname: "%DYNAMIC_METADATA(tunnel:address)%"
   */
  'hostname'?: (string);
  /**
   * Use POST method instead of CONNECT method to tunnel the TCP stream.
   * The 'protocol: bytestream' header is also NOT set for HTTP/2 to comply with the spec.
   * 
   * The upstream proxy is expected to convert POST payload as raw TCP.
   */
  'usePost'?: (boolean);
  /**
   * Additional request headers to upstream proxy. This is mainly used to
   * trigger upstream to convert POST requests back to CONNECT requests.
   * 
   * Neither ``:-prefixed`` pseudo-headers nor the Host: header can be overridden.
   */
  'headersToAdd'?: (_envoy_config_core_v3_HeaderValueOption)[];
  /**
   * Save the response headers to the downstream info filter state for consumption
   * by the network filters. The filter state key is ``envoy.tcp_proxy.propagate_response_headers``.
   */
  'propagateResponseHeaders'?: (boolean);
  /**
   * The path used with POST method. Default path is ``/``. If post path is specified and
   * :ref:`use_post field <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TunnelingConfig.use_post>`
   * isn't true, it will be rejected.
   */
  'postPath'?: (string);
  /**
   * Save the response trailers to the downstream info filter state for consumption
   * by the network filters. The filter state key is ``envoy.tcp_proxy.propagate_response_trailers``.
   */
  'propagateResponseTrailers'?: (boolean);
}

/**
 * Configuration for tunneling TCP over other transports or application layers.
 * Tunneling is supported over both HTTP/1.1 and HTTP/2. Upstream protocol is
 * determined by the cluster configuration.
 * [#next-free-field: 7]
 */
export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TunnelingConfig__Output {
  /**
   * The hostname to send in the synthesized CONNECT headers to the upstream proxy.
   * This field evaluates command operators if set, otherwise returns hostname as is.
   * 
   * Example: dynamically set hostname using downstream SNI
   * 
   * .. code-block:: yaml
   * 
   * tunneling_config:
   * hostname: "%REQUESTED_SERVER_NAME%:443"
   * 
   * Example: dynamically set hostname using dynamic metadata
   * 
   * .. code-block:: yaml
   * 
   * tunneling_config:
   * hostname: "%DYNAMIC_METADATA(tunnel:address)%"
   */
  'hostname': (string);
  /**
   * Use POST method instead of CONNECT method to tunnel the TCP stream.
   * The 'protocol: bytestream' header is also NOT set for HTTP/2 to comply with the spec.
   * 
   * The upstream proxy is expected to convert POST payload as raw TCP.
   */
  'usePost': (boolean);
  /**
   * Additional request headers to upstream proxy. This is mainly used to
   * trigger upstream to convert POST requests back to CONNECT requests.
   * 
   * Neither ``:-prefixed`` pseudo-headers nor the Host: header can be overridden.
   */
  'headersToAdd': (_envoy_config_core_v3_HeaderValueOption__Output)[];
  /**
   * Save the response headers to the downstream info filter state for consumption
   * by the network filters. The filter state key is ``envoy.tcp_proxy.propagate_response_headers``.
   */
  'propagateResponseHeaders': (boolean);
  /**
   * The path used with POST method. Default path is ``/``. If post path is specified and
   * :ref:`use_post field <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TunnelingConfig.use_post>`
   * isn't true, it will be rejected.
   */
  'postPath': (string);
  /**
   * Save the response trailers to the downstream info filter state for consumption
   * by the network filters. The filter state key is ``envoy.tcp_proxy.propagate_response_trailers``.
   */
  'propagateResponseTrailers': (boolean);
}

/**
 * Allows for specification of multiple upstream clusters along with weights
 * that indicate the percentage of traffic to be forwarded to each cluster.
 * The router selects an upstream cluster based on these weights.
 */
export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster {
  /**
   * Specifies one or more upstream clusters associated with the route.
   */
  'clusters'?: (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster_ClusterWeight)[];
}

/**
 * Allows for specification of multiple upstream clusters along with weights
 * that indicate the percentage of traffic to be forwarded to each cluster.
 * The router selects an upstream cluster based on these weights.
 */
export interface _envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster__Output {
  /**
   * Specifies one or more upstream clusters associated with the route.
   */
  'clusters': (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster_ClusterWeight__Output)[];
}

/**
 * [#next-free-field: 18]
 */
export interface TcpProxy {
  /**
   * The prefix to use when emitting :ref:`statistics
   * <config_network_filters_tcp_proxy_stats>`.
   */
  'statPrefix'?: (string);
  /**
   * The upstream cluster to connect to.
   */
  'cluster'?: (string);
  /**
   * [#not-implemented-hide:] The idle timeout for connections managed by the TCP proxy
   * filter. The idle timeout is defined as the period in which there is no
   * active traffic. If not set, there is no idle timeout. When the idle timeout
   * is reached the connection will be closed. The distinction between
   * downstream_idle_timeout/upstream_idle_timeout provides a means to set
   * timeout based on the last byte sent on the downstream/upstream connection.
   */
  'downstreamIdleTimeout'?: (_google_protobuf_Duration | null);
  /**
   * [#not-implemented-hide:]
   */
  'upstreamIdleTimeout'?: (_google_protobuf_Duration | null);
  /**
   * Configuration for :ref:`access logs <arch_overview_access_logs>`
   * emitted by the this tcp_proxy.
   */
  'accessLog'?: (_envoy_config_accesslog_v3_AccessLog)[];
  /**
   * The maximum number of unsuccessful connection attempts that will be made before
   * giving up. If the parameter is not specified, 1 connection attempt will be made.
   */
  'maxConnectAttempts'?: (_google_protobuf_UInt32Value | null);
  /**
   * The idle timeout for connections managed by the TCP proxy filter. The idle timeout
   * is defined as the period in which there are no bytes sent or received on either
   * the upstream or downstream connection. If not set, the default idle timeout is 1 hour. If set
   * to 0s, the timeout will be disabled.
   * It is possible to dynamically override this configuration by setting a per-connection filter
   * state object for the key ``envoy.tcp_proxy.per_connection_idle_timeout_ms``.
   * 
   * .. warning::
   * Disabling this timeout has a highly likelihood of yielding connection leaks due to lost TCP
   * FIN packets, etc.
   */
  'idleTimeout'?: (_google_protobuf_Duration | null);
  /**
   * Optional endpoint metadata match criteria. Only endpoints in the upstream
   * cluster with metadata matching that set in metadata_match will be
   * considered. The filter name should be specified as ``envoy.lb``.
   */
  'metadataMatch'?: (_envoy_config_core_v3_Metadata | null);
  /**
   * Multiple upstream clusters can be specified for a given route. The
   * request is routed to one of the upstream clusters based on weights
   * assigned to each cluster.
   */
  'weightedClusters'?: (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster | null);
  /**
   * Optional configuration for TCP proxy hash policy. If hash_policy is not set, the hash-based
   * load balancing algorithms will select a host randomly. Currently the number of hash policies is
   * limited to 1.
   */
  'hashPolicy'?: (_envoy_type_v3_HashPolicy)[];
  /**
   * If set, this configures tunneling, e.g. configuration options to tunnel TCP payload over
   * HTTP CONNECT. If this message is absent, the payload will be proxied upstream as per usual.
   * It is possible to dynamically override this configuration and disable tunneling per connection,
   * by setting a per-connection filter state object for the key ``envoy.tcp_proxy.disable_tunneling``.
   */
  'tunnelingConfig'?: (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TunnelingConfig | null);
  /**
   * The maximum duration of a connection. The duration is defined as the period since a connection
   * was established. If not set, there is no max duration. When max_downstream_connection_duration
   * is reached the connection will be closed. Duration must be at least 1ms.
   */
  'maxDownstreamConnectionDuration'?: (_google_protobuf_Duration | null);
  /**
   * The on demand policy for the upstream cluster.
   * It applies to both
   * :ref:`TcpProxy.cluster <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.cluster>`
   * and
   * :ref:`TcpProxy.weighted_clusters <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.weighted_clusters>`.
   */
  'onDemand'?: (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_OnDemand | null);
  /**
   * .. attention::
   * This field is deprecated in favor of
   * :ref:`access_log_flush_interval
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.access_log_flush_interval>`.
   * Note that if both this field and :ref:`access_log_flush_interval
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.access_log_flush_interval>`
   * are specified, the former (deprecated field) is ignored.
   * @deprecated
   */
  'accessLogFlushInterval'?: (_google_protobuf_Duration | null);
  /**
   * .. attention::
   * This field is deprecated in favor of
   * :ref:`flush_access_log_on_connected
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.flush_access_log_on_connected>`.
   * Note that if both this field and :ref:`flush_access_log_on_connected
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.flush_access_log_on_connected>`
   * are specified, the former (deprecated field) is ignored.
   * @deprecated
   */
  'flushAccessLogOnConnected'?: (boolean);
  /**
   * Additional access log options for TCP Proxy.
   */
  'accessLogOptions'?: (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TcpAccessLogOptions | null);
  'clusterSpecifier'?: "cluster"|"weightedClusters";
}

/**
 * [#next-free-field: 18]
 */
export interface TcpProxy__Output {
  /**
   * The prefix to use when emitting :ref:`statistics
   * <config_network_filters_tcp_proxy_stats>`.
   */
  'statPrefix': (string);
  /**
   * The upstream cluster to connect to.
   */
  'cluster'?: (string);
  /**
   * [#not-implemented-hide:] The idle timeout for connections managed by the TCP proxy
   * filter. The idle timeout is defined as the period in which there is no
   * active traffic. If not set, there is no idle timeout. When the idle timeout
   * is reached the connection will be closed. The distinction between
   * downstream_idle_timeout/upstream_idle_timeout provides a means to set
   * timeout based on the last byte sent on the downstream/upstream connection.
   */
  'downstreamIdleTimeout': (_google_protobuf_Duration__Output | null);
  /**
   * [#not-implemented-hide:]
   */
  'upstreamIdleTimeout': (_google_protobuf_Duration__Output | null);
  /**
   * Configuration for :ref:`access logs <arch_overview_access_logs>`
   * emitted by the this tcp_proxy.
   */
  'accessLog': (_envoy_config_accesslog_v3_AccessLog__Output)[];
  /**
   * The maximum number of unsuccessful connection attempts that will be made before
   * giving up. If the parameter is not specified, 1 connection attempt will be made.
   */
  'maxConnectAttempts': (_google_protobuf_UInt32Value__Output | null);
  /**
   * The idle timeout for connections managed by the TCP proxy filter. The idle timeout
   * is defined as the period in which there are no bytes sent or received on either
   * the upstream or downstream connection. If not set, the default idle timeout is 1 hour. If set
   * to 0s, the timeout will be disabled.
   * It is possible to dynamically override this configuration by setting a per-connection filter
   * state object for the key ``envoy.tcp_proxy.per_connection_idle_timeout_ms``.
   * 
   * .. warning::
   * Disabling this timeout has a highly likelihood of yielding connection leaks due to lost TCP
   * FIN packets, etc.
   */
  'idleTimeout': (_google_protobuf_Duration__Output | null);
  /**
   * Optional endpoint metadata match criteria. Only endpoints in the upstream
   * cluster with metadata matching that set in metadata_match will be
   * considered. The filter name should be specified as ``envoy.lb``.
   */
  'metadataMatch': (_envoy_config_core_v3_Metadata__Output | null);
  /**
   * Multiple upstream clusters can be specified for a given route. The
   * request is routed to one of the upstream clusters based on weights
   * assigned to each cluster.
   */
  'weightedClusters'?: (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster__Output | null);
  /**
   * Optional configuration for TCP proxy hash policy. If hash_policy is not set, the hash-based
   * load balancing algorithms will select a host randomly. Currently the number of hash policies is
   * limited to 1.
   */
  'hashPolicy': (_envoy_type_v3_HashPolicy__Output)[];
  /**
   * If set, this configures tunneling, e.g. configuration options to tunnel TCP payload over
   * HTTP CONNECT. If this message is absent, the payload will be proxied upstream as per usual.
   * It is possible to dynamically override this configuration and disable tunneling per connection,
   * by setting a per-connection filter state object for the key ``envoy.tcp_proxy.disable_tunneling``.
   */
  'tunnelingConfig': (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TunnelingConfig__Output | null);
  /**
   * The maximum duration of a connection. The duration is defined as the period since a connection
   * was established. If not set, there is no max duration. When max_downstream_connection_duration
   * is reached the connection will be closed. Duration must be at least 1ms.
   */
  'maxDownstreamConnectionDuration': (_google_protobuf_Duration__Output | null);
  /**
   * The on demand policy for the upstream cluster.
   * It applies to both
   * :ref:`TcpProxy.cluster <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.cluster>`
   * and
   * :ref:`TcpProxy.weighted_clusters <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.weighted_clusters>`.
   */
  'onDemand': (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_OnDemand__Output | null);
  /**
   * .. attention::
   * This field is deprecated in favor of
   * :ref:`access_log_flush_interval
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.access_log_flush_interval>`.
   * Note that if both this field and :ref:`access_log_flush_interval
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.access_log_flush_interval>`
   * are specified, the former (deprecated field) is ignored.
   * @deprecated
   */
  'accessLogFlushInterval': (_google_protobuf_Duration__Output | null);
  /**
   * .. attention::
   * This field is deprecated in favor of
   * :ref:`flush_access_log_on_connected
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.flush_access_log_on_connected>`.
   * Note that if both this field and :ref:`flush_access_log_on_connected
   * <envoy_v3_api_field_extensions.filters.network.tcp_proxy.v3.TcpProxy.TcpAccessLogOptions.flush_access_log_on_connected>`
   * are specified, the former (deprecated field) is ignored.
   * @deprecated
   */
  'flushAccessLogOnConnected': (boolean);
  /**
   * Additional access log options for TCP Proxy.
   */
  'accessLogOptions': (_envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_TcpAccessLogOptions__Output | null);
  'clusterSpecifier'?: "cluster"|"weightedClusters";
}
