// The authentication and authorization step of an HTTP request, before
// fault injection and routing (DESIGN §3: peer authn -> JWT -> authz ->
// fault -> route): the connection manager's jwt_authn and RBAC filters in
// their configured order. Denials are local replies (401 from jwt_authn,
// 403 `RBAC: access denied`) with Envoy's response code details; the JWT
// payloads go to the request's metadata for the RBAC filters after it.
// An RBAC filter with action LOG (Istio's AUDIT) that matches marks the
// request as Envoy does (dynamic metadata envoy.common access_log_hint) and
// names its policy for the access log, whatever the later filters decide.
import type { DynamicMetadata, RbacAttributes } from '@sextant/policy';
import { RBAC_DENIED_BODY, withAccessLogHint } from '@sextant/policy';
import type { HttpConnectionManagerConfig, HttpFilterConfig } from '@sextant/xds-client';
import type { HttpExchange } from './http-exchange';
import type { ProxyServices } from './http-context';
import { JwksCache } from './jwks-cache';
import { runJwtAuthn } from './jwt-filter';
import { connectionAttributes, decideRbac, normalizeRequestPath, remoteIp, requestHeaderMap } from './rbac-filter';
import { FLAG } from './response-flags';
import { countSecurity } from './security-stats';

type SecurityFilter = Extract<HttpFilterConfig, { kind: 'rbac' | 'jwt-authn' }>;

const perHcm = new WeakMap<HttpConnectionManagerConfig, SecurityFilter[]>();
const caches = new WeakMap<ProxyServices, JwksCache>();
const metadataOf = new WeakMap<HttpExchange, DynamicMetadata>();
/** LOG policies that matched the exchange's current request, and for which request (generation). */
const auditOf = new WeakMap<HttpExchange, { gen: number; policies: string[] }>();
/** Per exchange object (reused across keep-alive requests): which request an async step belongs to. */
const generation = new WeakMap<HttpExchange, number>();

/** The security filters of a connection manager, in order (cached per config). */
export function securityFilters(cfg: HttpConnectionManagerConfig): SecurityFilter[] {
  let list = perHcm.get(cfg);
  if (list === undefined) perHcm.set(cfg, (list = cfg.httpFilters.filter((f): f is SecurityFilter => f.kind === 'rbac' || f.kind === 'jwt-authn')));
  return list;
}

export function jwksCacheOf(services: ProxyServices): JwksCache {
  let c = caches.get(services);
  if (c === undefined) caches.set(services, (c = new JwksCache(services)));
  return c;
}

/** Dynamic metadata the security filters wrote for the exchange's current request. */
export function requestMetadata(ex: HttpExchange): DynamicMetadata {
  return metadataOf.get(ex) ?? {};
}

/** The AUDIT (RBAC LOG) policies that matched the exchange's current request, comma-separated; undefined when none did. */
export function auditedPolicy(ex: HttpExchange): string | undefined {
  const a = auditOf.get(ex);
  return a !== undefined && a.gen === generation.get(ex) ? a.policies.join(',') : undefined;
}

/**
 * Runs the security filters of the exchange's connection manager, then
 * `next` when the request may proceed. Returns false when there are none
 * (the caller goes on synchronously).
 */
export function runSecurity(ex: HttpExchange, next: () => void): boolean {
  const filters = securityFilters(ex.hcm.config);
  if (filters.length === 0) return false;
  metadataOf.delete(ex);
  const gen = (generation.get(ex) ?? 0) + 1;
  generation.set(ex, gen);
  const stillCurrent = () => !ex.finished && generation.get(ex) === gen;
  void step(ex, filters, 0, {}, stillCurrent, next).catch((err: Error) => {
    if (stillCurrent()) ex.localReply(500, `security filter failed: ${err.message}`, 0, 'security_filter_error');
  });
  return true;
}

/** What RBAC sees of the request (headers with the normalized path, addresses, peer, metadata). */
function rbacAttributes(ex: HttpExchange, md: DynamicMetadata): RbacAttributes {
  const cfg = ex.hcm.config;
  const headers = requestHeaderMap(cfg.normalizePath || cfg.mergeSlashes ? { method: ex.method, authority: ex.authority, headers: ex.headers, path: normalizeRequestPath(ex.path, cfg.mergeSlashes) } : ex);
  return { ...connectionAttributes(ex.conn), headers, metadata: md, remoteIp: remoteIp(ex.conn, headers, cfg.useRemoteAddress) };
}

async function step(ex: HttpExchange, filters: SecurityFilter[], from: number, metadata: DynamicMetadata, current: () => boolean, next: () => void): Promise<void> {
  const owner = ex.services;
  const prefix = `http.${ex.hcm.config.statPrefix}.`;
  let md = metadata;
  // Built once, again only after jwt_authn changed headers or metadata.
  let attrs: RbacAttributes | undefined;
  for (let i = from; i < filters.length; i++) {
    const f = filters[i]!;
    if (f.kind === 'jwt-authn') {
      const r = await runJwtAuthn(f.config, { method: ex.method, path: ex.path, headers: ex.headers }, ex.authority, ex.scheme, jwksCacheOf(ex.services));
      if (!current()) return;
      countSecurity(owner, `${prefix}jwt_authn.${r.ok ? 'allowed' : 'denied'}`);
      if (!r.ok) return ex.localReply(401, r.body, 0, `jwt_authn_access_denied{${r.body.replace(/ /g, '_')}}`, ['www-authenticate', r.wwwAuthenticate]);
      md = { ...md, ...r.metadata };
      metadataOf.set(ex, md);
      attrs = undefined;
    } else {
      attrs ??= rbacAttributes(ex, md);
      const d = decideRbac(owner, f.config, attrs, `${prefix}rbac.`);
      if (d.logged !== undefined) {
        const gen = generation.get(ex) ?? 0;
        const prev = auditOf.get(ex);
        if (prev !== undefined && prev.gen === gen) prev.policies.push(d.logged);
        else auditOf.set(ex, { gen, policies: [d.logged] });
        const marked = withAccessLogHint(md);
        if (marked !== md) {
          md = marked;
          metadataOf.set(ex, md);
          attrs = undefined;
        }
      }
      if (!d.allowed) return ex.localReply(403, RBAC_DENIED_BODY, FLAG.RBAC, d.detail);
    }
  }
  next();
}
