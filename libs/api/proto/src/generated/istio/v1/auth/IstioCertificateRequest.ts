// Original file: protos/istio/v1/auth/ca.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';

export interface IstioCertificateRequest {
  /**
   * PEM-encoded certificate request.
   */
  'csr'?: (string);
  /**
   * Requested validity in seconds.
   */
  'validityDuration'?: (number | string | Long);
  /**
   * Optional: e.g. ImpersonatedIdentity.
   */
  'metadata'?: (_google_protobuf_Struct | null);
}

export interface IstioCertificateRequest__Output {
  /**
   * PEM-encoded certificate request.
   */
  'csr': (string);
  /**
   * Requested validity in seconds.
   */
  'validityDuration': (string);
  /**
   * Optional: e.g. ImpersonatedIdentity.
   */
  'metadata': (_google_protobuf_Struct__Output | null);
}
