// Original file: protos/sextant/galley/v1/config.proto

import type { Long } from '@grpc/proto-loader';

export interface HistoryEntry {
  'resourceVersion'?: (number | string | Long);
  /**
   * PUT | DEL
   */
  'operation'?: (string);
  /**
   * RFC 3339
   */
  'created'?: (string);
  'json'?: (string);
}

export interface HistoryEntry__Output {
  'resourceVersion': (string);
  /**
   * PUT | DEL
   */
  'operation': (string);
  /**
   * RFC 3339
   */
  'created': (string);
  'json': (string);
}
