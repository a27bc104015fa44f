// Original file: protos/sextant/galley/v1/config.proto


export interface ValidateRequest {
  'manifest'?: (string);
  'source'?: (string);
}

export interface ValidateRequest__Output {
  'manifest': (string);
  'source': (string);
}
