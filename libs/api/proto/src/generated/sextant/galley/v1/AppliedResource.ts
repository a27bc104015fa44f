// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';
import type { Long } from '@grpc/proto-loader';

export interface AppliedResource {
  'ref'?: (_sextant_galley_v1_ResourceRef | null);
  /**
   * created | configured | unchanged
   */
  'action'?: (string);
  'resourceVersion'?: (number | string | Long);
}

export interface AppliedResource__Output {
  'ref': (_sextant_galley_v1_ResourceRef__Output | null);
  /**
   * created | configured | unchanged
   */
  'action': (string);
  'resourceVersion': (string);
}
