// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/accesslog/v3/accesslog.proto


/**
 * Filters for requests that are not health check requests. A health check
 * request is marked by the health check filter.
 */
export interface NotHealthCheckFilter {
}

/**
 * Filters for requests that are not health check requests. A health check
 * request is marked by the health check filter.
 */
export interface NotHealthCheckFilter__Output {
}
