// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';

export interface FieldError {
  'file'?: (string);
  /**
   * index in a multi-document input, from 0
   */
  'document'?: (number);
  'ref'?: (_sextant_galley_v1_ResourceRef | null);
  /**
   * e.g. spec.http[1].route[0].weight
   */
  'path'?: (string);
  'reason'?: (string);
  /**
   * stable error code
   */
  'code'?: (string);
  /**
   * error | warning
   */
  'severity'?: (string);
}

export interface FieldError__Output {
  'file': (string);
  /**
   * index in a multi-document input, from 0
   */
  'document': (number);
  'ref': (_sextant_galley_v1_ResourceRef__Output | null);
  /**
   * e.g. spec.http[1].route[0].weight
   */
  'path': (string);
  'reason': (string);
  /**
   * stable error code
   */
  'code': (string);
  /**
   * error | warning
   */
  'severity': (string);
}
