// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/xds/xds/annotations/v3/status.proto


export interface FileStatusAnnotation {
  /**
   * The entity is work-in-progress and subject to breaking changes.
   */
  'workInProgress'?: (boolean);
}

export interface FileStatusAnnotation__Output {
  /**
   * The entity is work-in-progress and subject to breaking changes.
   */
  'workInProgress': (boolean);
}
