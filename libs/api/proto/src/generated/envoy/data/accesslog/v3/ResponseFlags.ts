// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/data/accesslog/v3/accesslog.proto


// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/data/accesslog/v3/accesslog.proto

/**
 * Reasons why the request was unauthorized
 */
export const _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason = {
  REASON_UNSPECIFIED: 'REASON_UNSPECIFIED',
  /**
   * The request was denied by the external authorization service.
   */
  EXTERNAL_SERVICE: 'EXTERNAL_SERVICE',
} as const;

/**
 * Reasons why the request was unauthorized
 */
export type _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason =
  | 'REASON_UNSPECIFIED'
  | 0
  /**
   * The request was denied by the external authorization service.
   */
  | 'EXTERNAL_SERVICE'
  | 1

/**
 * Reasons why the request was unauthorized
 */
export type _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason__Output = typeof _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason[keyof typeof _envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason]

export interface _envoy_data_accesslog_v3_ResponseFlags_Unauthorized {
  'reason'?: (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason);
}

export interface _envoy_data_accesslog_v3_ResponseFlags_Unauthorized__Output {
  'reason': (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized_Reason__Output);
}

/**
 * Flags indicating occurrences during request/response processing.
 * [#next-free-field: 29]
 */
export interface ResponseFlags {
  /**
   * Indicates local server healthcheck failed.
   */
  'failedLocalHealthcheck'?: (boolean);
  /**
   * Indicates there was no healthy upstream.
   */
  'noHealthyUpstream'?: (boolean);
  /**
   * Indicates an there was an upstream request timeout.
   */
  'upstreamRequestTimeout'?: (boolean);
  /**
   * Indicates local codec level reset was sent on the stream.
   */
  'localReset'?: (boolean);
  /**
   * Indicates remote codec level reset was received on the stream.
   */
  'upstreamRemoteReset'?: (boolean);
  /**
   * Indicates there was a local reset by a connection pool due to an initial connection failure.
   */
  'upstreamConnectionFailure'?: (boolean);
  /**
   * Indicates the stream was reset due to an upstream connection termination.
   */
  'upstreamConnectionTermination'?: (boolean);
  /**
   * Indicates the stream was reset because of a resource overflow.
   */
  'upstreamOverflow'?: (boolean);
  /**
   * Indicates no route was found for the request.
   */
  'noRouteFound'?: (boolean);
  /**
   * Indicates that the request was delayed before proxying.
   */
  'delayInjected'?: (boolean);
  /**
   * Indicates that the request was aborted with an injected error code.
   */
  'faultInjected'?: (boolean);
  /**
   * Indicates that the request was rate-limited locally.
   */
  'rateLimited'?: (boolean);
  /**
   * Indicates if the request was deemed unauthorized and the reason for it.
   */
  'unauthorizedDetails'?: (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized | null);
  /**
   * Indicates that the request was rejected because there was an error in rate limit service.
   */
  'rateLimitServiceError'?: (boolean);
  /**
   * Indicates the stream was reset due to a downstream connection termination.
   */
  'downstreamConnectionTermination'?: (boolean);
  /**
   * Indicates that the upstream retry limit was exceeded, resulting in a downstream error.
   */
  'upstreamRetryLimitExceeded'?: (boolean);
  /**
   * Indicates that the stream idle timeout was hit, resulting in a downstream 408.
   */
  'streamIdleTimeout'?: (boolean);
  /**
   * Indicates that the request was rejected because an envoy request header failed strict
   * validation.
   */
  'invalidEnvoyRequestHeaders'?: (boolean);
  /**
   * Indicates there was an HTTP protocol error on the downstream request.
   */
  'downstreamProtocolError'?: (boolean);
  /**
   * Indicates there was a max stream duration reached on the upstream request.
   */
  'upstreamMaxStreamDurationReached'?: (boolean);
  /**
   * Indicates the response was served from a cache filter.
   */
  'responseFromCacheFilter'?: (boolean);
  /**
   * Indicates that a filter configuration is not available.
   */
  'noFilterConfigFound'?: (boolean);
  /**
   * Indicates that request or connection exceeded the downstream connection duration.
   */
  'durationTimeout'?: (boolean);
  /**
   * Indicates there was an HTTP protocol error in the upstream response.
   */
  'upstreamProtocolError'?: (boolean);
  /**
   * Indicates no cluster was found for the request.
   */
  'noClusterFound'?: (boolean);
  /**
   * Indicates overload manager terminated the request.
   */
  'overloadManager'?: (boolean);
  /**
   * Indicates a DNS resolution failed.
   */
  'dnsResolutionFailure'?: (boolean);
  /**
   * Indicates a downstream remote codec level reset was received on the stream
   */
  'downstreamRemoteReset'?: (boolean);
}

/**
 * Flags indicating occurrences during request/response processing.
 * [#next-free-field: 29]
 */
export interface ResponseFlags__Output {
  /**
   * Indicates local server healthcheck failed.
   */
  'failedLocalHealthcheck': (boolean);
  /**
   * Indicates there was no healthy upstream.
   */
  'noHealthyUpstream': (boolean);
  /**
   * Indicates an there was an upstream request timeout.
   */
  'upstreamRequestTimeout': (boolean);
  /**
   * Indicates local codec level reset was sent on the stream.
   */
  'localReset': (boolean);
  /**
   * Indicates remote codec level reset was received on the stream.
   */
  'upstreamRemoteReset': (boolean);
  /**
   * Indicates there was a local reset by a connection pool due to an initial connection failure.
   */
  'upstreamConnectionFailure': (boolean);
  /**
   * Indicates the stream was reset due to an upstream connection termination.
   */
  'upstreamConnectionTermination': (boolean);
  /**
   * Indicates the stream was reset because of a resource overflow.
   */
  'upstreamOverflow': (boolean);
  /**
   * Indicates no route was found for the request.
   */
  'noRouteFound': (boolean);
  /**
   * Indicates that the request was delayed before proxying.
   */
  'delayInjected': (boolean);
  /**
   * Indicates that the request was aborted with an injected error code.
   */
  'faultInjected': (boolean);
  /**
   * Indicates that the request was rate-limited locally.
   */
  'rateLimited': (boolean);
  /**
   * Indicates if the request was deemed unauthorized and the reason for it.
   */
  'unauthorizedDetails': (_envoy_data_accesslog_v3_ResponseFlags_Unauthorized__Output | null);
  /**
   * Indicates that the request was rejected because there was an error in rate limit service.
   */
  'rateLimitServiceError': (boolean);
  /**
   * Indicates the stream was reset due to a downstream connection termination.
   */
  'downstreamConnectionTermination': (boolean);
  /**
   * Indicates that the upstream retry limit was exceeded, resulting in a downstream error.
   */
  'upstreamRetryLimitExceeded': (boolean);
  /**
   * Indicates that the stream idle timeout was hit, resulting in a downstream 408.
   */
  'streamIdleTimeout': (boolean);
  /**
   * Indicates that the request was rejected because an envoy request header failed strict
   * validation.
   */
  'invalidEnvoyRequestHeaders': (boolean);
  /**
   * Indicates there was an HTTP protocol error on the downstream request.
   */
  'downstreamProtocolError': (boolean);
  /**
   * Indicates there was a max stream duration reached on the upstream request.
   */
  'upstreamMaxStreamDurationReached': (boolean);
  /**
   * Indicates the response was served from a cache filter.
   */
  'responseFromCacheFilter': (boolean);
  /**
   * Indicates that a filter configuration is not available.
   */
  'noFilterConfigFound': (boolean);
  /**
   * Indicates that request or connection exceeded the downstream connection duration.
   */
  'durationTimeout': (boolean);
  /**
   * Indicates there was an HTTP protocol error in the upstream response.
   */
  'upstreamProtocolError': (boolean);
  /**
   * Indicates no cluster was found for the request.
   */
  'noClusterFound': (boolean);
  /**
   * Indicates overload manager terminated the request.
   */
  'overloadManager': (boolean);
  /**
   * Indicates a DNS resolution failed.
   */
  'dnsResolutionFailure': (boolean);
  /**
   * Indicates a downstream remote codec level reset was received on the stream
   */
  'downstreamRemoteReset': (boolean);
}
