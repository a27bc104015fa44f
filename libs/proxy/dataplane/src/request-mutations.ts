// What a route does to a request and its response on the way through:
// header additions and removals (with a few of Envoy's %VARIABLES%), path
// rewrites, redirects and hash keys for consistent hashing.
import type { HashPolicyConfig, HeaderAppend, HeaderOps, RedirectActionConfig, RouteActionConfig } from '@sextant/xds-client';
import { randomBytes } from 'node:crypto';
import { getHeader, removeHeader, setHeader } from './headers';
import { queryValue } from './matchers';
import { RE2 } from './re2-lazy';
import { hash32 } from './ring-hash';
import type { CompiledRoute } from './route-matcher';

export interface FormatContext {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  protocol: string;
  upstreamHost: string;
  startTime: number;
  headers: readonly string[];
}

/** Envoy's header value formatters the mesh uses; unknown ones stay as written. */
export function formatValue(v: string, ctx: FormatContext): string {
  if (!v.includes('%')) return v;
  return v.replace(/%([A-Z_]+)(?:\(([^)]*)\))?%/g, (whole, name: string, arg: string | undefined) => {
    switch (name) {
      case 'DOWNSTREAM_REMOTE_ADDRESS':
        return `${ctx.remoteAddress}:${ctx.remotePort}`;
      case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
        return ctx.remoteAddress;
      case 'DOWNSTREAM_LOCAL_ADDRESS':
        return `${ctx.localAddress}:${ctx.localPort}`;
      case 'DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT':
        return ctx.localAddress;
      case 'DOWNSTREAM_LOCAL_PORT':
        return String(ctx.localPort);
      case 'PROTOCOL':
        return ctx.protocol;
      case 'UPSTREAM_REMOTE_ADDRESS':
        return ctx.upstreamHost;
      case 'START_TIME':
        return new Date(ctx.startTime).toISOString();
      case 'REQ':
        return arg ? (getHeader(ctx.headers, arg.toLowerCase()) ?? '') : whole;
      default:
        return whole;
    }
  });
}

function applyAppends(h: string[], adds: readonly HeaderAppend[], ctx: FormatContext): void {
  for (const a of adds) {
    const value = formatValue(a.value, ctx);
    if (value === '' && !a.keepEmpty) continue;
    switch (a.action) {
      case 'append':
        h.push(a.name, value);
        break;
      case 'overwrite':
        setHeader(h, a.name, value);
        break;
      case 'add-if-absent':
        if (getHeader(h, a.name) === undefined) h.push(a.name, value);
        break;
      case 'overwrite-if-exists':
        if (getHeader(h, a.name) !== undefined) setHeader(h, a.name, value);
        break;
    }
  }
}

/** Request side of header ops, most specific level first (Envoy's default order). */
export function applyRequestOps(h: string[], ops: readonly HeaderOps[], ctx: FormatContext): void {
  for (const o of ops) {
    for (const name of o.requestRemove) removeHeader(h, name);
    applyAppends(h, o.requestAdd, ctx);
  }
}

export function applyResponseOps(h: string[], ops: readonly HeaderOps[], ctx: FormatContext): void {
  for (const o of ops) {
    for (const name of o.responseRemove) removeHeader(h, name);
    applyAppends(h, o.responseAdd, ctx);
  }
}

/** The upstream path after prefix_rewrite or regex_rewrite. */
export function rewritePath(path: string, route: CompiledRoute, action: RouteActionConfig): string {
  if (action.prefixRewrite !== undefined) {
    const m = route.entry.match.path;
    if (m.kind === 'prefix' || m.kind === 'path' || m.kind === 'separated') {
      const cut = m.value.length;
      const rest = path.slice(cut);
      let out = action.prefixRewrite + rest;
      // Envoy leaves "//" alone, but a rewrite of "/" for "/x" must not produce "" .
      if (out === '' || out.charCodeAt(0) !== 47) out = `/${out}`;
      return out;
    }
    return path;
  }
  const rr = route.regexRewrite;
  if (rr !== undefined) {
    const q = path.indexOf('?');
    const p = q < 0 ? path : path.slice(0, q);
    const rewritten = rr.re.matcher(p).replaceAll(rr.substitution);
    return q < 0 ? rewritten : rewritten + path.slice(q);
  }
  return path;
}

/** Location header for a redirect route. */
export function redirectLocation(r: RedirectActionConfig, route: CompiledRoute, scheme: string, authority: string, path: string): string {
  const outScheme = r.scheme ?? scheme;
  let host = r.host ?? authority;
  const colon = host.lastIndexOf(':');
  const hostOnly = colon > 0 && !host.endsWith(']') && host.indexOf(':') === colon ? host.slice(0, colon) : host;
  if (r.port !== undefined) host = `${hostOnly}:${r.port}`;
  else if (r.scheme !== undefined && r.scheme !== scheme) host = hostOnly;
  if ((outScheme === 'http' && host.endsWith(':80')) || (outScheme === 'https' && host.endsWith(':443'))) host = host.slice(0, host.lastIndexOf(':'));
  const q = path.indexOf('?');
  let pathOnly = q < 0 ? path : path.slice(0, q);
  let query = q < 0 ? '' : path.slice(q);
  if (r.path) {
    if (r.path.kind === 'path') {
      const pq = r.path.value.indexOf('?');
      if (pq >= 0) {
        query = r.path.value.slice(pq);
        pathOnly = r.path.value.slice(0, pq);
      } else pathOnly = r.path.value;
    } else if (r.path.kind === 'prefix') {
      const m = route.entry.match.path;
      const cut = m.kind === 'prefix' || m.kind === 'path' || m.kind === 'separated' ? m.value.length : 0;
      pathOnly = r.path.value + pathOnly.slice(cut);
    } else {
      pathOnly = RE2().compile(r.path.regex).matcher(pathOnly).replaceAll(r.path.substitution.replace(/\\(\d)/g, '$$$1'));
    }
  }
  if (r.stripQuery) query = '';
  return `${outScheme}://${host}${pathOnly}${query}`;
}


export interface HashInput {
  headers: readonly string[];
  path: string;
  remoteAddress: string;
}

/** Envoy combines policy hashes by rotating and xoring; a terminal policy that hashed stops. */
export function hashKey(policies: readonly HashPolicyConfig[], input: HashInput): { hash: number | undefined; setCookie?: string } {
  let hash: number | undefined;
  let setCookie: string | undefined;
  for (const p of policies) {
    let v: string | undefined;
    switch (p.kind) {
      case 'header':
        v = getHeader(input.headers, p.name);
        break;
      case 'source-ip':
        v = input.remoteAddress;
        break;
      case 'query':
        v = queryValue(input.path, p.name);
        break;
      case 'cookie': {
        v = cookieValue(getHeader(input.headers, 'cookie'), p.name);
        if (v === undefined && p.ttlMs !== undefined) {
          v = randomBytes(8).toString('hex');
          const maxAge = Math.floor(p.ttlMs / 1000);
          setCookie = `${p.name}="${v}"${maxAge > 0 ? `; Max-Age=${maxAge}` : ''}${p.path ? `; Path=${p.path}` : ''}; HttpOnly`;
        }
        break;
      }
    }
    if (v === undefined) continue;
    const h = hash32(v);
    hash = hash === undefined ? h : (((hash << 1) | (hash >>> 31)) ^ h) >>> 0;
    if (p.terminal) break;
  }
  return setCookie === undefined ? { hash } : { hash, setCookie };
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
    }
  }
  return undefined;
}
