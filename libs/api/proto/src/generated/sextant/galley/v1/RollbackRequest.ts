// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';
import type { Long } from '@grpc/proto-loader';

export interface RollbackRequest {
  'ref'?: (_sextant_galley_v1_ResourceRef | null);
  /**
   * Revision to restore; 0 restores the one before the current.
   */
  'toResourceVersion'?: (number | string | Long);
  /**
   * Validate and compute the result without storing anything.
   */
  'dryRun'?: (boolean);
  /**
   * Who rolled back (shown in history).
   */
  'fieldManager'?: (string);
}

export interface RollbackRequest__Output {
  'ref': (_sextant_galley_v1_ResourceRef__Output | null);
  /**
   * Revision to restore; 0 restores the one before the current.
   */
  'toResourceVersion': (string);
  /**
   * Validate and compute the result without storing anything.
   */
  'dryRun': (boolean);
  /**
   * Who rolled back (shown in history).
   */
  'fieldManager': (string);
}
