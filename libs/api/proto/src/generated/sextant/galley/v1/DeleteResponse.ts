// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';

export interface DeleteResponse {
  'deleted'?: (_sextant_galley_v1_ResourceRef)[];
}

export interface DeleteResponse__Output {
  'deleted': (_sextant_galley_v1_ResourceRef__Output)[];
}
