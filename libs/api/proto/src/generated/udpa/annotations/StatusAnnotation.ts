// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/xds/udpa/annotations/status.proto

import type { PackageVersionStatus as _udpa_annotations_PackageVersionStatus, PackageVersionStatus__Output as _udpa_annotations_PackageVersionStatus__Output } from '../../udpa/annotations/PackageVersionStatus';

export interface StatusAnnotation {
  /**
   * The entity is work-in-progress and subject to breaking changes.
   */
  'workInProgress'?: (boolean);
  /**
   * The entity belongs to a package with the given version status.
   */
  'packageVersionStatus'?: (_udpa_annotations_PackageVersionStatus);
}

export interface StatusAnnotation__Output {
  /**
   * The entity is work-in-progress and subject to breaking changes.
   */
  'workInProgress': (boolean);
  /**
   * The entity belongs to a package with the given version status.
   */
  'packageVersionStatus': (_udpa_annotations_PackageVersionStatus__Output);
}
