// RequestAuthentications selecting a workload -> one envoy.filters.http.jwt_authn
// filter (Istio's policy applier): a provider per JWT rule (sorted by issuer,
// named `origins-<i>`), the verified payload written to dynamic metadata
// `envoy.filters.http.jwt_authn` / `payload` for RBAC, and Istio's
// requirement: a token that is present must be valid (401 otherwise), a
// missing token passes (an AuthorizationPolicy decides whether a request
// principal is required).
//
// JWKS: `jwks` is inlined (localJwks); `jwksUri` is fetched by the proxy
// (remoteJwks) through the outbound cluster of its host, which must exist:
// the proxy's own `outbound|<port>||<host>` when the host is a service it
// sees, else the one jwksClusters() emits for it.
import type { JWTRule, RequestAuthentication } from '@sextant/config-model';
import { parseDurationMs } from '@sextant/pilot-model';
import type { ClusterObject, FilterObject } from '@sextant/translate';
import type { JwtAuthnConfig, JwtProviderObject, JwtRequirementObject } from './rbac-types';
import { JWT_PAYLOAD_KEY, SECURITY_FILTER, SECURITY_TYPED } from './type-urls';
import { usesTargetRef } from './rbac-builder';

export interface JwksUri {
  host: string;
  port: number;
  tls: boolean;
}

/** Istio's ParseJwksURI: http (80) or https (443), optional explicit port; undefined otherwise. */
export function parseJwksUri(uri: string): JwksUri | undefined {
  const m = /^(https?):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?(?:[/?#]|$)/i.exec(uri);
  if (!m) return undefined;
  const tls = m[1]!.toLowerCase() === 'https';
  const port = m[3] ? Number(m[3]) : tls ? 443 : 80;
  if (port < 1 || port > 65535) return undefined;
  return { host: m[2]!.replace(/^\[|\]$/g, '').toLowerCase(), port, tls };
}

/** The outbound cluster a JWKS host is fetched through (Istio's naming). */
export function jwksClusterName(j: Pick<JwksUri, 'host' | 'port'>): string {
  return `outbound|${j.port}||${j.host}`;
}

/** Claims Envoy splits on spaces before writing metadata (Istio always adds scope and permission). */
export function spaceDelimitedClaims(extra: readonly string[] | undefined): string[] {
  return [...new Set([...(extra ?? []), 'permission', 'scope'])].sort();
}

const FIVE_MINUTES = { seconds: '300', nanos: 0 };

/** JWKS fetch timeout: the rule's `timeout`, else Istio's 5s. */
function timeoutOf(text: string | undefined): { seconds: string; nanos: number } {
  let ms = 5000;
  try {
    if (text) ms = parseDurationMs(text);
  } catch {
    // Galley rejects malformed durations; keep the default here.
  }
  const whole = Math.floor(ms / 1000);
  return { seconds: String(whole), nanos: Math.round((ms - whole * 1000) * 1e6) };
}

/**
 * A JWKS nobody holds the private key for. Istio inlines such a key when it
 * cannot obtain the real JWKS, so tokens of that issuer fail verification
 * (401) while requests without tokens still pass: fail closed, not open.
 */
export const UNRESOLVED_JWKS = JSON.stringify({
  keys: [
    {
      kty: 'RSA',
      kid: 'sextant-unresolved-jwks',
      alg: 'RS256',
      e: 'AQAB',
      n: 'xH5dxJ2uYtD2H0cBfZ8Jm6C1cO0zH3f0e3Wq9sX5nJt0mYl1ZyW3Zf6lC1b2nQ8rU4pV7kA9sT2yG5hD0jE3wR6qL8mN1oP4iK7uB0vC3xZ6aS9dF2gH5jK8lQ1wE4rT7yU0iO3pA6sD9fG2hJ5kL8zX1cV4bN7mQ0wE3rT6yU9iO2pA5sD8fG1hJ4kL7zX0cV3bN6mQ9wE2rT5yU8iO1pA4sD7fG0hJ3kL6zX9cV2bN5mQ8wE1rT4yU7iO0pA3sD6fG9hJ2kL5zX8cV1bN4mQ7wE0rT3yU6iO9pA2sD5fG8hJ1kL4zX7cV0bN3mQ6wE9rT2yU5iO8pA1sD4fG7hJ0kL3zX6cV9bN2mQ5wE8rT1yU4iO7pA0sD3fG6hJ9kL2zX5cV8bN1mQ4w',
    },
  ],
});

export interface JwtBuildOptions {
  /** Gateways: re-pick the route after claims may have been copied to headers. */
  clearRouteCache?: boolean;
  warn?: (message: string) => void;
}

function jwksSource(rule: JWTRule, ref: string, opts: JwtBuildOptions): Pick<JwtProviderObject, 'remoteJwks' | 'localJwks'> {
  if (rule.jwks) return { localJwks: { inlineString: rule.jwks } };
  const uri = rule.jwksUri ?? rule.jwks_uri;
  const parsed = uri ? parseJwksUri(uri) : undefined;
  if (uri && parsed) return { remoteJwks: { httpUri: { uri, cluster: jwksClusterName(parsed), timeout: timeoutOf(rule.timeout) }, cacheDuration: FIVE_MINUTES } };
  opts.warn?.(
    uri
      ? `RequestAuthentication ${ref}: jwksUri "${uri}" is not an http(s) URL; tokens of issuer "${rule.issuer ?? ''}" will be rejected`
      : `RequestAuthentication ${ref}: issuer "${rule.issuer ?? ''}" has neither jwks nor jwksUri (OpenID discovery is not supported); its tokens will be rejected`,
  );
  return { localJwks: { inlineString: UNRESOLVED_JWKS } };
}

function provider(rule: JwtRuleRef['rule'], ref: string, opts: JwtBuildOptions): JwtProviderObject {
  return {
    ...(rule.issuer ? { issuer: rule.issuer } : {}),
    ...(rule.audiences?.length ? { audiences: [...rule.audiences] } : {}),
    ...jwksSource(rule, ref, opts),
    ...(rule.forwardOriginalToken ? { forward: true } : {}),
    ...(rule.fromHeaders?.length ? { fromHeaders: rule.fromHeaders.map((h) => (h.prefix ? { name: h.name, valuePrefix: h.prefix } : { name: h.name })) } : {}),
    ...(rule.fromParams?.length ? { fromParams: [...rule.fromParams] } : {}),
    ...(rule.fromCookies?.length ? { fromCookies: [...rule.fromCookies] } : {}),
    ...(rule.outputPayloadToHeader ? { forwardPayloadHeader: rule.outputPayloadToHeader } : {}),
    payloadInMetadata: JWT_PAYLOAD_KEY,
    normalizePayloadInMetadata: { spaceDelimitedClaims: spaceDelimitedClaims(rule.spaceDelimitedClaims) },
    ...(rule.outputClaimToHeaders?.length ? { claimToHeaders: rule.outputClaimToHeaders.map((c) => ({ headerName: c.header, claimName: c.claim })) } : {}),
    ...(opts.clearRouteCache ? { clearRouteCache: true } : {}),
  };
}

interface JwtRuleRef {
  rule: JWTRule;
  /** `namespace/name` of the RequestAuthentication, for messages. */
  ref: string;
}

/** JWT rules of the applicable RequestAuthentications, sorted by issuer (stable), with their policy for messages. */
export function jwtRules(policies: readonly RequestAuthentication[], warn?: (m: string) => void): JwtRuleRef[] {
  const out: JwtRuleRef[] = [];
  for (const p of policies) {
    const ref = `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
    if (usesTargetRef(p)) {
      warn?.(`RequestAuthentication ${ref}: targetRef is not supported for sidecars and gateways here; ignored`);
      continue;
    }
    for (const rule of p.spec.jwtRules ?? []) out.push({ rule, ref });
  }
  return out.sort((a, b) => ((a.rule.issuer ?? '') < (b.rule.issuer ?? '') ? -1 : (a.rule.issuer ?? '') > (b.rule.issuer ?? '') ? 1 : 0));
}

/** The jwt_authn filter config; undefined when no JWT rule applies. */
export function jwtAuthnConfig(policies: readonly RequestAuthentication[], opts: JwtBuildOptions = {}): JwtAuthnConfig | undefined {
  const rules = jwtRules(policies, opts.warn);
  if (rules.length === 0) return undefined;
  const providers: Record<string, JwtProviderObject> = {};
  const inner: JwtRequirementObject[] = [];
  const outer: JwtRequirementObject[] = [];
  rules.forEach(({ rule, ref }, i) => {
    const name = `origins-${i}`;
    providers[name] = provider(rule, ref, opts);
    inner.push({ requiresAny: { requirements: [{ providerName: name }, { allowMissing: {} }] } });
    outer.push({ providerName: name });
  });
  // One provider: {it OR allow_missing}. Several: OR of each provider alone (tokens sharing a location)
  // and AND of {each OR allow_missing} (every present token must be valid).
  const requires = inner.length === 1 ? inner[0]! : { requiresAny: { requirements: [...outer, { requiresAll: { requirements: inner } }] } };
  return { '@type': SECURITY_TYPED.jwtAuthn, providers, rules: [{ match: { prefix: '/' }, requires }], bypassCorsPreflight: true };
}

export function jwtAuthnFilter(policies: readonly RequestAuthentication[], opts: JwtBuildOptions = {}): FilterObject | undefined {
  const cfg = jwtAuthnConfig(policies, opts);
  return cfg ? { name: SECURITY_FILTER.jwtAuthn, typedConfig: cfg as unknown as FilterObject['typedConfig'] } : undefined;
}

/**
 * Clusters for JWKS hosts the proxy has no outbound cluster for: STRICT_DNS
 * to host:port, TLS (SNI = host, system trust store) for https. Same name
 * Istio would reference (`outbound|<port>||<host>`).
 */
export function jwksClusters(policies: readonly RequestAuthentication[], hasCluster: (name: string) => boolean): ClusterObject[] {
  const out = new Map<string, ClusterObject>();
  for (const { rule } of jwtRules(policies)) {
    const uri = rule.jwks ? undefined : (rule.jwksUri ?? rule.jwks_uri);
    const parsed = uri ? parseJwksUri(uri) : undefined;
    if (!parsed) continue;
    const name = jwksClusterName(parsed);
    if (hasCluster(name) || out.has(name)) continue;
    const cluster: ClusterObject = {
      name,
      type: 'STRICT_DNS',
      connectTimeout: { seconds: '10', nanos: 0 },
      lbPolicy: 'ROUND_ROBIN',
      dnsLookupFamily: 'V4_PREFERRED',
      loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: parsed.host, portValue: parsed.port } } } }] }] },
    };
    if (parsed.tls) {
      cluster['transportSocket'] = {
        name: 'envoy.transport_sockets.tls',
        typedConfig: {
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
          sni: parsed.host,
          commonTlsContext: { validationContext: { trustedCa: { filename: SYSTEM_CA_BUNDLE } } },
        },
      };
    }
    out.set(name, cluster);
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The system trust store as Istio's proxies name it; the Sextant proxy maps it to Node's default roots. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
