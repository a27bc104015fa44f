// @sextant/ca-server: Citadel's service. Caller authentication (bootstrap
// tokens, Kubernetes TokenReview), the CreateCertificate handler, trust-bundle
// publishing and the admin endpoints, composed by Citadel.start().
export { CA_SERVER_ERRORS, CaServerError, type CaServerErrorCode } from './errors';
export { AuthenticatorChain, bearerFrom, type AuthContext, type Authenticator, type Caller } from './authenticator';
export {
  BootstrapTokens,
  decodeToken,
  encodeToken,
  loadOrCreateTokenKey,
  TOKEN_PREFIX,
  type BootstrapTokenClaims,
  type IssuedToken,
  type TokenPolicy,
  type TokenRequest,
} from './bootstrap-token';
export { createRenewalToken, RenewalAuthenticator, RENEWAL_PREFIX, type RenewalOptions } from './renewal-token';
export { FileReplayStore, MemoryReplayStore, type ReplayStore } from './replay-store';
export { TokenReviewAuthenticator, type TokenReviewOptions } from './token-review';
export { CertificateSigner, createCaServiceHandlers, publicMessage, type SignOutcome, type SignRequest, type SignerOptions } from './ca-service';
export { createCaMetrics, type CaMetrics } from './metrics';
export { TrustBundlePublisher, readTrustBundle, type TrustBundlePublisherOptions } from './trust-bundle-publisher';
export {
  ADMIN_SECRET_FILE,
  BOOTSTRAP_TOKENS_PATH,
  ROTATE_ROOT_PATH,
  adminSecretPath,
  loadOrCreateAdminSecret,
  registerAdminRoutes,
  type CitadelAdminApi,
} from './admin-routes';
export { requestBootstrapToken, requestRootRotation, type AdminClientOptions } from './admin-client';
export { Citadel, type CitadelOptions } from './citadel';
