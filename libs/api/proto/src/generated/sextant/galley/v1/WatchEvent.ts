// Original file: protos/sextant/galley/v1/config.proto

import type { Resource as _sextant_galley_v1_Resource, Resource__Output as _sextant_galley_v1_Resource__Output } from '../../../sextant/galley/v1/Resource';

export interface WatchEvent {
  /**
   * ADDED | MODIFIED | DELETED | SYNCED
   */
  'type'?: (string);
  'resource'?: (_sextant_galley_v1_Resource | null);
}

export interface WatchEvent__Output {
  /**
   * ADDED | MODIFIED | DELETED | SYNCED
   */
  'type': (string);
  'resource': (_sextant_galley_v1_Resource__Output | null);
}
