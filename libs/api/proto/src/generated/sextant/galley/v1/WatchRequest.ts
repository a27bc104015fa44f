// Original file: protos/sextant/galley/v1/config.proto


export interface WatchRequest {
  'kind'?: (string);
  'namespace'?: (string);
  /**
   * Send the current state first (as ADDED events), then changes.
   */
  'includeInitial'?: (boolean);
}

export interface WatchRequest__Output {
  'kind': (string);
  'namespace': (string);
  /**
   * Send the current state first (as ADDED events), then changes.
   */
  'includeInitial': (boolean);
}
