// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/listener/v3/listener.proto


/**
 * A placeholder proto so that users can explicitly configure the standard
 * Validation Listener Manager via the bootstrap's :ref:`listener_manager <envoy_v3_api_field_config.bootstrap.v3.Bootstrap.listener_manager>`.
 * [#not-implemented-hide:]
 */
export interface ValidationListenerManager {
}

/**
 * A placeholder proto so that users can explicitly configure the standard
 * Validation Listener Manager via the bootstrap's :ref:`listener_manager <envoy_v3_api_field_config.bootstrap.v3.Bootstrap.listener_manager>`.
 * [#not-implemented-hide:]
 */
export interface ValidationListenerManager__Output {
}
