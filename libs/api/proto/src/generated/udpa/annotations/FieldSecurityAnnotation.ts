// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/xds/udpa/annotations/security.proto


/**
 * These annotations indicate metadata for the purpose of understanding the
 * security significance of fields.
 */
export interface FieldSecurityAnnotation {
  /**
   * Field should be set in the presence of untrusted downstreams.
   */
  'configureForUntrustedDownstream'?: (boolean);
  /**
   * Field should be set in the presence of untrusted upstreams.
   */
  'configureForUntrustedUpstream'?: (boolean);
}

/**
 * These annotations indicate metadata for the purpose of understanding the
 * security significance of fields.
 */
export interface FieldSecurityAnnotation__Output {
  /**
   * Field should be set in the presence of untrusted downstreams.
   */
  'configureForUntrustedDownstream': (boolean);
  /**
   * Field should be set in the presence of untrusted upstreams.
   */
  'configureForUntrustedUpstream': (boolean);
}
