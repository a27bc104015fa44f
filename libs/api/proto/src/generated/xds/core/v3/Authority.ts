// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/xds/xds/core/v3/authority.proto


/**
 * xDS authority information.
 */
export interface Authority {
  'name'?: (string);
}

/**
 * xDS authority information.
 */
export interface Authority__Output {
  'name': (string);
}
