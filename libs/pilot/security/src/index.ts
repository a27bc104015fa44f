// @sextant/pilot-security: PeerAuthentication, AuthorizationPolicy and
// RequestAuthentication -> the Envoy config that enforces them (inbound mTLS
// filter chains, RBAC and jwt_authn filters), plugged into translation
// through TranslateHooks; plus a pure evaluator of that config (the spec the
// proxy implements). Pure: no I/O.
export { securityHooks, securityClusters, endpointMtlsDisabled, workloadMtlsMode, sdsConfigFor, type SecurityHooksOptions } from './security-hooks';
export {
  composePeerAuthentication,
  mtlsModeForPort,
  applyPeerAuthentication,
  inboundMtlsSocket,
  chainProtocol,
  ISTIO_MTLS_ALPNS,
  SERVER_ALPN_HTTP,
  SERVER_ALPN_TCP,
  MESH_CIPHER_SUITES,
  type MtlsMode,
  type MergedPeerAuthentication,
  type InboundTlsOptions,
} from './peer-authn-builder';
export {
  buildAuthorization,
  rbacHttpFilters,
  rbacNetworkFilters,
  stageOf,
  MATCH_NEVER,
  BAD_CUSTOM_SUFFIX,
  AUTHZ_STAGES,
  type AuthzStage,
  type AuthzBuildOptions,
  type BuiltAuthzStage,
} from './rbac-builder';
export { buildModel, generatePolicy, type AuthzModel, type GenerateOptions } from './authz-model';
export { RuleError } from './authz-attributes';
export {
  jwtAuthnConfig,
  jwtAuthnFilter,
  jwksClusters,
  jwksClusterName,
  parseJwksUri,
  spaceDelimitedClaims,
  UNRESOLVED_JWKS,
  SYSTEM_CA_BUNDLE,
  type JwksUri,
  type JwtBuildOptions,
} from './jwt-authn-builder';
export { cidrRange, parseIp, wildcardMatcher, headerMatcher, quoteRegex } from './matchers';
export {
  SECURITY_TYPED,
  SECURITY_FILTER,
  JWT_METADATA_NAMESPACE,
  JWT_PAYLOAD_KEY,
  RBAC_TCP_STAT_PREFIX,
  DRY_RUN_ANNOTATION,
  ENVOY_PROTOS_FOR_SECURITY,
} from './type-urls';
export type * from './rbac-types';
export {
  simulateSecurity,
  selectFilterChain,
  RBAC_DENIED_BODY,
  type SecurityConnection,
  type SecurityRequest,
  type SecurityOutcome,
  type SecurityStage,
} from './security-simulator';
export { evaluateRbacFilter, evaluateRbacRules, policyMatches, permissionMatches, principalMatches, urlPathOf, type RbacAttributes, type RbacFilterResult, type RbacRulesResult } from './rbac-evaluator';
export { evaluateJwtAuthn, providerExtracts, normalizedPayload, JWT_FAILURE_BODY, type TestJwt, type JwtStatus, type JwtResult, type JwtRequest } from './jwt-evaluator';
export { matchString, matchHeader, matchCidr, matchValue, matchMetadata, matchUriTemplate, metadataAt, headerValue, type DynamicMetadata, type HeaderMap } from './envoy-match';
