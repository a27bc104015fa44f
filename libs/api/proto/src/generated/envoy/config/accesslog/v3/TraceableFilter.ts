// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/accesslog/v3/accesslog.proto


/**
 * Filters for requests that are traceable. See the tracing overview for more
 * information on how a request becomes traceable.
 */
export interface TraceableFilter {
}

/**
 * Filters for requests that are traceable. See the tracing overview for more
 * information on how a request becomes traceable.
 */
export interface TraceableFilter__Output {
}
