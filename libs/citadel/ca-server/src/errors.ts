// Every error code the CA server can produce. The suffix picks the gRPC status
// at the edge (see @sextant/grpc toServiceError): *_UNAUTHENTICATED,
// *_DENIED -> PERMISSION_DENIED, *_INVALID -> INVALID_ARGUMENT,
// *_UNAVAILABLE. CSR and CA codes come from @sextant/pki (PKI_ERRORS).
import { SextantError } from '@sextant/util';

export const CA_SERVER_ERRORS = {
  TOKEN_MISSING_UNAUTHENTICATED: 'no "authorization: Bearer <token>" metadata on the call',
  TOKEN_MALFORMED_UNAUTHENTICATED: 'the bearer token is not a token this CA understands',
  TOKEN_SIGNATURE_UNAUTHENTICATED: 'the bootstrap token was not issued by this CA (bad signature)',
  TOKEN_EXPIRED_UNAUTHENTICATED: 'the bootstrap token has expired',
  TOKEN_REPLAYED_UNAUTHENTICATED: 'the bootstrap token has already been used as often as it allows',
  TOKEN_TRUST_DOMAIN_UNAUTHENTICATED: 'the token names another trust domain',
  RENEWAL_CERT_UNAUTHENTICATED: 'the certificate presented for renewal is not trusted, not valid now, or not a workload certificate',
  RENEWAL_STALE_UNAUTHENTICATED: 'the renewal proof is too old or from the future (clock skew above the limit)',
  RENEWAL_SIGNATURE_UNAUTHENTICATED: 'the renewal proof is not signed by the key of the presented certificate for this CSR',
  TOKEN_REJECTED_UNAUTHENTICATED: 'Kubernetes did not authenticate the service-account token',
  TOKEN_REVIEW_UNAVAILABLE: 'the Kubernetes TokenReview API could not be reached or failed',
  TOKEN_REQUEST_INVALID: 'a bootstrap token request names a bad identity, lifetime or use count',
  IMPERSONATION_DENIED: 'the request asks to act for another identity (metadata ImpersonatedIdentity), which this CA does not allow',
  CA_NOT_READY_UNAVAILABLE: 'the CA has not loaded its signing key yet',
} as const;

export type CaServerErrorCode = keyof typeof CA_SERVER_ERRORS;

export class CaServerError extends SextantError {
  declare readonly code: CaServerErrorCode;
  constructor(code: CaServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CaServerError';
  }
}
