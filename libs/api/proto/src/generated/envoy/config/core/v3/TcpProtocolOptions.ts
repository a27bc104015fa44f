// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/core/v3/protocol.proto


/**
 * [#not-implemented-hide:]
 */
export interface TcpProtocolOptions {
}

/**
 * [#not-implemented-hide:]
 */
export interface TcpProtocolOptions__Output {
}
