// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';

export interface GetRequest {
  'ref'?: (_sextant_galley_v1_ResourceRef | null);
}

export interface GetRequest__Output {
  'ref': (_sextant_galley_v1_ResourceRef__Output | null);
}
