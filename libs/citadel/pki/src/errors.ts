// Every error code the PKI lib can produce, with what it means. Codes are
// stable (logged, counted as metric labels, sent as gRPC metadata); their
// suffix tells the edge which status to use (see @sextant/grpc toServiceError):
// *_INVALID -> INVALID_ARGUMENT, *_DENIED -> PERMISSION_DENIED, others INTERNAL.
import { SextantError } from '@sextant/util';

export const PKI_ERRORS = {
  // CSR problems: the caller sent something we will not sign.
  CSR_MALFORMED_INVALID: 'the CSR is not one PEM "CERTIFICATE REQUEST" block of well-formed DER (PKCS#10)',
  CSR_ALGORITHM_INVALID: 'the CSR is signed with an algorithm we do not accept (SHA-256/384/512 with RSA or ECDSA only)',
  CSR_SIGNATURE_INVALID: 'the CSR signature does not verify with the public key it carries',
  CSR_KEY_WEAK_INVALID: 'the CSR key is too weak (RSA keys must have at least 2048 bits)',
  CSR_KEY_UNSUPPORTED_INVALID: 'the CSR key type is not accepted (RSA 2048-8192 bits, or EC on P-256 or P-384)',
  CSR_SAN_MISSING_INVALID: 'the CSR has no URI subject alternative name; it must carry exactly the caller\'s SPIFFE ID',
  CSR_EXTRA_SAN_DENIED: 'the CSR asks for names besides the caller\'s SPIFFE ID (DNS, IP, email, another URI, ...)',
  CSR_IDENTITY_DENIED: 'the CSR asks for an identity other than the caller\'s',
  TTL_INVALID: 'the requested certificate lifetime is not a positive number of seconds',
  SPIFFE_ID_INVALID: 'a SPIFFE ID is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>',
  // CA material problems: the operator must fix files or settings.
  CA_FILE_MISSING: 'a file the CA needs does not exist',
  CA_FILE_UNPARSABLE: 'a CA file is not the PEM it should be (certificate or unencrypted private key)',
  CA_CERT_EXPIRED: 'a CA certificate is expired or not yet valid',
  CA_KEY_MISMATCH: 'the CA private key does not belong to the CA certificate',
  CA_CHAIN_BROKEN: 'the CA chain does not lead from the signing certificate to the root',
  CA_NOT_A_CA: 'a certificate in the CA chain is not marked as a CA (basicConstraints CA:TRUE)',
  CA_KEY_UNSUPPORTED: 'the CA key type cannot sign (RSA, or EC on P-256/P-384 only)',
  CA_STATE_CORRUPT: 'the CA state file under the data dir cannot be read',
  CA_ROTATION_UNSUPPORTED_PRECONDITION: 'this CA cannot rotate its root (plugged-in CA: replace the files instead)',
} as const;

export type PkiErrorCode = keyof typeof PKI_ERRORS;

export class PkiError extends SextantError {
  declare readonly code: PkiErrorCode;
  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PkiError';
  }
}

/** A refusal from a pure check: a stable code and a reason a person can act on. */
export interface Refusal {
  code: PkiErrorCode;
  reason: string;
}

export const refusal = (code: PkiErrorCode, reason: string): Refusal => ({ code, reason });
