// envoy.filters.http.rbac and envoy.filters.network.rbac on live traffic:
// what RBAC sees of a request or connection (headers with :method, :path,
// :authority; peer and client addresses; destination; SNI; the peer
// principal; jwt_authn's metadata), evaluated with @sextant/policy's
// evaluator, with Envoy's counters and denial details.
import type { DynamicMetadata, HeaderMap, RbacAttributes, RbacFilterConfig } from '@sextant/policy';
import { evaluateRbacFilter } from '@sextant/policy';
import type { ConnInfo } from './http-context';
import { connPeerPrincipal } from './peer-principal';
import { countSecurity } from './security-stats';

/** What a connection shows RBAC (network filters and the connection part of HTTP). */
export function connectionAttributes(conn: ConnInfo): RbacAttributes {
  const a: RbacAttributes = {
    directRemoteIp: conn.remoteAddress,
    destinationIp: conn.originalDst?.address ?? conn.localAddress,
    destinationPort: conn.originalDst?.port ?? conn.localPort,
    requestedServerName: conn.serverName,
  };
  const peer = connPeerPrincipal(conn);
  if (peer !== undefined) a.peerPrincipal = peer;
  return a;
}

export interface RequestFacts {
  method: string;
  path: string;
  authority: string;
  headers: readonly string[];
}

/** Request headers as RBAC matches them (repeated names kept as lists), pseudo-headers included. */
export function requestHeaderMap(req: RequestFacts): HeaderMap {
  const out: Record<string, string | string[]> = { ':method': req.method, ':path': req.path, ':authority': req.authority };
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!;
    const prev = out[name];
    if (prev === undefined) out[name] = h[i + 1]!;
    else if (typeof prev === 'string') out[name] = [prev, h[i + 1]!];
    else prev.push(h[i + 1]!);
  }
  return out;
}

/**
 * The path as RBAC sees it when the connection manager has normalize_path
 * (RFC 3986: percent-encoded unreserved characters decoded, backslashes as
 * slashes, dot segments removed) and merge_slashes: so `/public/../admin`
 * and `/%61dmin` are judged as `/admin`. The query is kept.
 */
export function normalizeRequestPath(path: string, mergeSlashes: boolean): string {
  const cut = path.search(/[?#]/);
  const rest = cut < 0 ? '' : path.slice(cut);
  let p = (cut < 0 ? path : path.slice(0, cut)).replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
  });
  p = p.replace(/\\/g, '/');
  if (mergeSlashes) p = p.replace(/\/{2,}/g, '/');
  if (!p.startsWith('/')) return p + rest;
  const segs = p.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '.' || seg === '..') {
      if (seg === '..') out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return `/${out.join('/')}${rest}`;
}

/** remote_ip: the connection peer with use_remote_address, else the last X-Forwarded-For address, else the peer. */
export function remoteIp(conn: ConnInfo, headers: HeaderMap, useRemoteAddress: boolean): string {
  if (useRemoteAddress) return conn.remoteAddress;
  const xff = headers['x-forwarded-for'];
  const joined = xff === undefined ? '' : typeof xff === 'string' ? xff : xff.join(',');
  const hops = joined.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return hops.length > 0 ? hops[hops.length - 1]! : conn.remoteAddress;
}

export interface RbacDecision {
  allowed: boolean;
  /** Envoy's response code details on denial: rbac_access_denied_matched_policy[<policy>|none]. */
  detail: string;
  /** Action LOG (Istio's AUDIT): the policy that matched; Envoy then sets access_log_hint. */
  logged?: string;
}

/** Evaluates one RBAC filter and counts it under `prefix` (e.g. "http.inbound_0.0.0.0_8080.rbac." or "tcp.rbac."). */
export function decideRbac(owner: object, cfg: RbacFilterConfig, attrs: RbacAttributes, prefix: string): RbacDecision {
  const r = evaluateRbacFilter(cfg, attrs);
  if (cfg.rules !== undefined) {
    countSecurity(owner, `${prefix}${r.allowed ? 'allowed' : 'denied'}`);
    if (cfg.rules.action === 'LOG') countSecurity(owner, `${prefix}${r.logged !== undefined ? 'logged' : 'not_logged'}`);
  }
  if (r.shadow !== undefined) countSecurity(owner, `${prefix}${cfg.shadowRulesStatPrefix ?? ''}shadow_${r.shadow.allowed ? 'allowed' : 'denied'}`);
  const d: RbacDecision = { allowed: r.allowed, detail: `rbac_access_denied_matched_policy[${r.matchedPolicy ?? 'none'}]` };
  if (r.logged !== undefined) d.logged = r.logged;
  return d;
}

/** Network RBAC filters of a TCP chain, in order; false: close the connection. `onLogged` hears each matching LOG (AUDIT) policy. */
export function networkRbacAllows(owner: object, filters: readonly { name: string; config: RbacFilterConfig }[], conn: ConnInfo, onLogged?: (policy: string) => void): boolean {
  const attrs = connectionAttributes(conn);
  for (const f of filters) {
    const d = decideRbac(owner, f.config, attrs, `${f.config.statPrefix ?? ''}rbac.`);
    if (d.logged !== undefined) onLogged?.(d.logged);
    if (!d.allowed) return false;
  }
  return true;
}

export type { DynamicMetadata };
