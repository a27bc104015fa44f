// Original file: protos/sextant/galley/v1/config.proto

import type { Resource as _sextant_galley_v1_Resource, Resource__Output as _sextant_galley_v1_Resource__Output } from '../../../sextant/galley/v1/Resource';

export interface WatchEvent {
  /**
   * ADDED | MODIFIED | DELETED | SYNCED
   */
  'type'?: (string);
  'resource'?: (_sextant_galley_v1_Resource | null);
  /**
   * Set on every event of a batch written together (two or more resources);
   * a batch's events arrive one after another.
   */
  'batch'?: (string);
  /**
   * true on the last event of a batch: act on the batch now, not before.
   */
  'batchEnd'?: (boolean);
  /**
   * The batch's writer died before all of it arrived; this is what did.
   */
  'partial'?: (boolean);
}

export interface WatchEvent__Output {
  /**
   * ADDED | MODIFIED | DELETED | SYNCED
   */
  'type': (string);
  'resource': (_sextant_galley_v1_Resource__Output | null);
  /**
   * Set on every event of a batch written together (two or more resources);
   * a batch's events arrive one after another.
   */
  'batch': (string);
  /**
   * true on the last event of a batch: act on the batch now, not before.
   */
  'batchEnd': (boolean);
  /**
   * The batch's writer died before all of it arrived; this is what did.
   */
  'partial': (boolean);
}
