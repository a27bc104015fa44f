// Type URLs, filter names and metadata keys of everything this library
// emits, and the Envoy .proto files an encoder needs for them besides
// translation's (see ENVOY_PROTOS_FOR_SECURITY). These names are the
// contract with the Sextant proxy: it recognises filters by type URL.

const T = 'type.googleapis.com/';

export const SECURITY_TYPED = {
  httpRbac: `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
  networkRbac: `${T}envoy.extensions.filters.network.rbac.v3.RBAC`,
  jwtAuthn: `${T}envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication`,
  uriTemplate: `${T}envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig`,
} as const;

/** Filter names. Envoy and the Sextant proxy pick the implementation by type URL; names are unique per chain. */
export const SECURITY_FILTER = {
  jwtAuthn: 'envoy.filters.http.jwt_authn',
  /** HTTP RBAC filters are `envoy.filters.http.rbac.<stage>` (custom, audit, deny, allow). */
  httpRbac: 'envoy.filters.http.rbac',
  /** Network RBAC filters are `envoy.filters.network.rbac.<stage>`. */
  networkRbac: 'envoy.filters.network.rbac',
} as const;

/**
 * Where a verified JWT's payload goes: dynamic metadata namespace
 * `envoy.filters.http.jwt_authn`, key `payload` (a Struct of the claims).
 * RBAC metadata matchers read `request.auth.*` from there (Istio's scheme).
 */
export const JWT_METADATA_NAMESPACE = 'envoy.filters.http.jwt_authn';
export const JWT_PAYLOAD_KEY = 'payload';

/** Stat prefixes, as Istio sets them. */
export const RBAC_TCP_STAT_PREFIX = 'tcp.';
export const DRY_RUN_ALLOW_PREFIX = 'istio_dry_run_allow_';
export const DRY_RUN_DENY_PREFIX = 'istio_dry_run_deny_';

/** Istio's annotation that turns an AuthorizationPolicy into shadow rules. */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** Envoy protos (paths under grpc-js-xds's deps/envoy-api) an encoder needs for security output, beyond ENVOY_PROTOS_FOR_TRANSLATION. */
export const ENVOY_PROTOS_FOR_SECURITY: readonly string[] = [
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/path/match/uri_template/v3/uri_template_match.proto',
];
