// Original file: protos/istio/v1/auth/ca.proto


export interface IstioCertificateResponse {
  /**
   * PEM chain: leaf first, then intermediates, then the root.
   */
  'certChain'?: (string)[];
}

export interface IstioCertificateResponse__Output {
  /**
   * PEM chain: leaf first, then intermediates, then the root.
   */
  'certChain': (string)[];
}
