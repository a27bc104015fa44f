// Original file: protos/sextant/galley/v1/config.proto


export interface ApplyRequest {
  /**
   * One or more YAML or JSON documents.
   */
  'manifest'?: (string);
  /**
   * Name shown in errors (a file path, or "-" for stdin).
   */
  'source'?: (string);
  /**
   * Validate and compute the result without storing anything.
   */
  'dryRun'?: (boolean);
  /**
   * Who applied it (shown in history).
   */
  'fieldManager'?: (string);
}

export interface ApplyRequest__Output {
  /**
   * One or more YAML or JSON documents.
   */
  'manifest': (string);
  /**
   * Name shown in errors (a file path, or "-" for stdin).
   */
  'source': (string);
  /**
   * Validate and compute the result without storing anything.
   */
  'dryRun': (boolean);
  /**
   * Who applied it (shown in history).
   */
  'fieldManager': (string);
}
