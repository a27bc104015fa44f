// The Envoy RBAC, matcher and jwt_authn messages this library emits, in
// protobufjs object form (camelCase, enums as names, wrappers as { value }).
// Typed exactly as far as the subset Pilot emits: its builders produce these,
// the evaluators read them, and the proxy's decoders produce them from xDS.

/** envoy.type.matcher.v3.StringMatcher. */
export interface StringMatcherObject {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safeRegex?: { regex: string };
  ignoreCase?: boolean;
}

/** envoy.config.route.v3.HeaderMatcher (the variants RBAC uses). */
export interface HeaderMatcherObject {
  name: string;
  stringMatch?: StringMatcherObject;
  presentMatch?: boolean;
  invertMatch?: boolean;
  treatMissingHeaderAsEmpty?: boolean;
}

export interface CidrRangeObject {
  addressPrefix: string;
  prefixLen: { value: number };
}

/** envoy.type.matcher.v3.ValueMatcher (the variants we emit). */
export interface ValueMatcherObject {
  stringMatch?: StringMatcherObject;
  listMatch?: { oneOf: ValueMatcherObject };
  orMatch?: { valueMatchers: ValueMatcherObject[] };
  presentMatch?: boolean;
}

/** envoy.type.matcher.v3.MetadataMatcher: dynamic metadata `filter`, then the keys of `path`. */
export interface MetadataMatcherObject {
  filter: string;
  path: { key: string }[];
  value: ValueMatcherObject;
}

/** envoy.type.matcher.v3.PathMatcher. */
export interface PathMatcherObject {
  path: StringMatcherObject;
}

/** envoy.config.core.v3.TypedExtensionConfig for the URI template permission. */
export interface UriTemplateObject {
  name: string;
  typedConfig: { '@type': string; pathTemplate: string };
}

/** envoy.config.rbac.v3.Permission: exactly one member is set. */
export interface PermissionObject {
  andRules?: { rules: PermissionObject[] };
  orRules?: { rules: PermissionObject[] };
  notRule?: PermissionObject;
  any?: true;
  header?: HeaderMatcherObject;
  urlPath?: PathMatcherObject;
  uriTemplate?: UriTemplateObject;
  destinationIp?: CidrRangeObject;
  destinationPort?: number;
  requestedServerName?: StringMatcherObject;
  metadata?: MetadataMatcherObject;
}

/** envoy.config.rbac.v3.Principal: exactly one member is set. */
export interface PrincipalObject {
  andIds?: { ids: PrincipalObject[] };
  orIds?: { ids: PrincipalObject[] };
  notId?: PrincipalObject;
  any?: true;
  authenticated?: { principalName: StringMatcherObject };
  directRemoteIp?: CidrRangeObject;
  remoteIp?: CidrRangeObject;
  header?: HeaderMatcherObject;
  metadata?: MetadataMatcherObject;
}

export interface RbacPolicyObject {
  permissions: PermissionObject[];
  principals: PrincipalObject[];
}

export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

/** envoy.config.rbac.v3.RBAC. */
export interface RbacRulesObject {
  action: RbacAction;
  policies: Record<string, RbacPolicyObject>;
}

/** envoy.extensions.filters.{http,network}.rbac.v3.RBAC (statPrefix only for network). */
export interface RbacFilterConfig {
  '@type': string;
  rules?: RbacRulesObject;
  shadowRules?: RbacRulesObject;
  shadowRulesStatPrefix?: string;
  statPrefix?: string;
}

/** envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement (the variants we emit). */
export interface JwtRequirementObject {
  providerName?: string;
  requiresAny?: { requirements: JwtRequirementObject[] };
  requiresAll?: { requirements: JwtRequirementObject[] };
  allowMissing?: Record<string, never>;
}

export interface JwtProviderObject {
  issuer?: string;
  audiences?: string[];
  remoteJwks?: {
    httpUri: { uri: string; cluster: string; timeout: { seconds: string; nanos: number } };
    cacheDuration: { seconds: string; nanos: number };
  };
  localJwks?: { inlineString: string };
  forward?: boolean;
  fromHeaders?: { name: string; valuePrefix?: string }[];
  fromParams?: string[];
  fromCookies?: string[];
  forwardPayloadHeader?: string;
  payloadInMetadata: string;
  normalizePayloadInMetadata: { spaceDelimitedClaims: string[] };
  claimToHeaders?: { headerName: string; claimName: string }[];
  clearRouteCache?: boolean;
}

export interface JwtAuthnConfig {
  '@type': string;
  providers: Record<string, JwtProviderObject>;
  rules: { match: { prefix: string }; requires: JwtRequirementObject }[];
  bypassCorsPreflight: boolean;
}
