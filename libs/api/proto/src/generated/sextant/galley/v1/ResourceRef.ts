// Original file: protos/sextant/galley/v1/config.proto


export interface ResourceRef {
  /**
   * e.g. VirtualService
   */
  'kind'?: (string);
  /**
   * empty for the default namespace
   */
  'namespace'?: (string);
  'name'?: (string);
}

export interface ResourceRef__Output {
  /**
   * e.g. VirtualService
   */
  'kind': (string);
  /**
   * empty for the default namespace
   */
  'namespace': (string);
  'name': (string);
}
