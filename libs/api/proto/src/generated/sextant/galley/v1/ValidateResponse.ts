// Original file: protos/sextant/galley/v1/config.proto

import type { FieldError as _sextant_galley_v1_FieldError, FieldError__Output as _sextant_galley_v1_FieldError__Output } from '../../../sextant/galley/v1/FieldError';

export interface ValidateResponse {
  'valid'?: (boolean);
  'errors'?: (_sextant_galley_v1_FieldError)[];
  'warnings'?: (_sextant_galley_v1_FieldError)[];
}

export interface ValidateResponse__Output {
  'valid': (boolean);
  'errors': (_sextant_galley_v1_FieldError__Output)[];
  'warnings': (_sextant_galley_v1_FieldError__Output)[];
}
