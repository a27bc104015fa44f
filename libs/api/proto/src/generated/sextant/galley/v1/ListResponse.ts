// Original file: protos/sextant/galley/v1/config.proto

import type { Resource as _sextant_galley_v1_Resource, Resource__Output as _sextant_galley_v1_Resource__Output } from '../../../sextant/galley/v1/Resource';

export interface ListResponse {
  'resources'?: (_sextant_galley_v1_Resource)[];
}

export interface ListResponse__Output {
  'resources': (_sextant_galley_v1_Resource__Output)[];
}
