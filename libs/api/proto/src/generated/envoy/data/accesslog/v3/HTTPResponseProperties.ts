// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/data/accesslog/v3/accesslog.proto

import type { UInt32Value as _google_protobuf_UInt32Value, UInt32Value__Output as _google_protobuf_UInt32Value__Output } from '../../../../google/protobuf/UInt32Value';
import type { Long } from '@grpc/proto-loader';

/**
 * [#next-free-field: 9]
 */
export interface HTTPResponseProperties {
  /**
   * The HTTP response code returned by Envoy.
   */
  'responseCode'?: (_google_protobuf_UInt32Value | null);
  /**
   * Size of the HTTP response headers in bytes.
   * 
   * This value is captured from the OSI layer 7 perspective, i.e. it does not
   * include protocol overhead or overhead from framing or encoding at other networking layers.
   */
  'responseHeadersBytes'?: (number | string | Long);
  /**
   * Size of the HTTP response body in bytes.
   * 
   * This value is captured from the OSI layer 7 perspective, i.e. it does not
   * include overhead from framing or encoding at other networking layers.
   */
  'responseBodyBytes'?: (number | string | Long);
  /**
   * Map of additional headers configured to be logged.
   */
  'responseHeaders'?: ({[key: string]: string});
  /**
   * Map of trailers configured to be logged.
   */
  'responseTrailers'?: ({[key: string]: string});
  /**
   * The HTTP response code details.
   */
  'responseCodeDetails'?: (string);
  /**
   * Number of header bytes received from the upstream by the http stream, including protocol overhead.
   */
  'upstreamHeaderBytesReceived'?: (number | string | Long);
  /**
   * Number of header bytes sent to the downstream by the http stream, including protocol overhead.
   */
  'downstreamHeaderBytesSent'?: (number | string | Long);
}

/**
 * [#next-free-field: 9]
 */
export interface HTTPResponseProperties__Output {
  /**
   * The HTTP response code returned by Envoy.
   */
  'responseCode': (_google_protobuf_UInt32Value__Output | null);
  /**
   * Size of the HTTP response headers in bytes.
   * 
   * This value is captured from the OSI layer 7 perspective, i.e. it does not
   * include protocol overhead or overhead from framing or encoding at other networking layers.
   */
  'responseHeadersBytes': (string);
  /**
   * Size of the HTTP response body in bytes.
   * 
   * This value is captured from the OSI layer 7 perspective, i.e. it does not
   * include overhead from framing or encoding at other networking layers.
   */
  'responseBodyBytes': (string);
  /**
   * Map of additional headers configured to be logged.
   */
  'responseHeaders': ({[key: string]: string});
  /**
   * Map of trailers configured to be logged.
   */
  'responseTrailers': ({[key: string]: string});
  /**
   * The HTTP response code details.
   */
  'responseCodeDetails': (string);
  /**
   * Number of header bytes received from the upstream by the http stream, including protocol overhead.
   */
  'upstreamHeaderBytesReceived': (string);
  /**
   * Number of header bytes sent to the downstream by the http stream, including protocol overhead.
   */
  'downstreamHeaderBytesSent': (string);
}
