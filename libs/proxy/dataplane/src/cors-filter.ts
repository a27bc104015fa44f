// CORS (envoy.filters.http.cors): answers preflights for allowed origins
// and adds the access-control headers to actual responses.
import type { CorsPolicyConfig } from '@sextant/xds-client';
import { getHeader } from './headers';
import { compileStringMatch, type StringPredicate } from './matchers';

interface CompiledCors {
  origins: StringPredicate[];
}
const compiled = new WeakMap<CorsPolicyConfig, CompiledCors>();

function originAllowed(p: CorsPolicyConfig, origin: string): boolean {
  let c = compiled.get(p);
  if (!c) {
    c = { origins: p.allowOrigins.map(compileStringMatch) };
    compiled.set(p, c);
  }
  for (const o of c.origins) if (o(origin)) return true;
  return false;
}

export type CorsOutcome =
  /** Not a CORS request, or the policy is off for it. */
  | undefined
  /** A preflight to answer locally with these headers. */
  | { preflight: true; headers: string[] }
  /** An actual request: add these headers to the response. */
  | { preflight: false; headers: string[] };

export function evaluateCors(p: CorsPolicyConfig, method: string, headers: readonly string[]): CorsOutcome {
  if (p.enabled < 1 && Math.random() >= p.enabled) return undefined;
  const origin = getHeader(headers, 'origin');
  if (origin === undefined) return undefined;
  const allowed = originAllowed(p, origin);
  const preflight = method === 'OPTIONS' && getHeader(headers, 'access-control-request-method') !== undefined;
  if (preflight) {
    if (!allowed) return p.forwardNotMatchingPreflights ? undefined : { preflight: true, headers: [] };
    const out = ['access-control-allow-origin', origin];
    if (p.allowMethods) out.push('access-control-allow-methods', p.allowMethods);
    if (p.allowHeaders) out.push('access-control-allow-headers', p.allowHeaders);
    if (p.maxAge) out.push('access-control-max-age', p.maxAge);
    if (p.allowCredentials) out.push('access-control-allow-credentials', 'true');
    if (p.allowPrivateNetworkAccess && getHeader(headers, 'access-control-request-private-network') === 'true') out.push('access-control-allow-private-network', 'true');
    return { preflight: true, headers: out };
  }
  if (!allowed) return undefined;
  const out = ['access-control-allow-origin', origin];
  if (p.allowCredentials) out.push('access-control-allow-credentials', 'true');
  if (p.exposeHeaders) out.push('access-control-expose-headers', p.exposeHeaders);
  return { preflight: false, headers: out };
}
