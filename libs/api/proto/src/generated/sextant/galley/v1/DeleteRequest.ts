// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';
import type { Long } from '@grpc/proto-loader';

export interface DeleteRequest {
  'refs'?: (_sextant_galley_v1_ResourceRef)[];
  /**
   * When set, delete only if the stored revision still matches (one ref only).
   */
  'expectedResourceVersion'?: (number | string | Long);
  'dryRun'?: (boolean);
}

export interface DeleteRequest__Output {
  'refs': (_sextant_galley_v1_ResourceRef__Output)[];
  /**
   * When set, delete only if the stored revision still matches (one ref only).
   */
  'expectedResourceVersion': (string);
  'dryRun': (boolean);
}
