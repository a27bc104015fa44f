// Original file: protos/sextant/galley/v1/config.proto


export interface ListRequest {
  /**
   * empty: every kind
   */
  'kind'?: (string);
  /**
   * empty: every namespace
   */
  'namespace'?: (string);
}

export interface ListRequest__Output {
  /**
   * empty: every kind
   */
  'kind': (string);
  /**
   * empty: every namespace
   */
  'namespace': (string);
}
