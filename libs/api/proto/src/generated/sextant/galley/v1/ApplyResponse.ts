// Original file: protos/sextant/galley/v1/config.proto

import type { AppliedResource as _sextant_galley_v1_AppliedResource, AppliedResource__Output as _sextant_galley_v1_AppliedResource__Output } from '../../../sextant/galley/v1/AppliedResource';
import type { FieldError as _sextant_galley_v1_FieldError, FieldError__Output as _sextant_galley_v1_FieldError__Output } from '../../../sextant/galley/v1/FieldError';

export interface ApplyResponse {
  'applied'?: (_sextant_galley_v1_AppliedResource)[];
  'warnings'?: (_sextant_galley_v1_FieldError)[];
  'dryRun'?: (boolean);
}

export interface ApplyResponse__Output {
  'applied': (_sextant_galley_v1_AppliedResource__Output)[];
  'warnings': (_sextant_galley_v1_FieldError__Output)[];
  'dryRun': (boolean);
}
