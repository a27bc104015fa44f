// Header work of an exchange, apart from its state machine: the upstream
// request head (hop-by-hop removal, header ops, host rewrite, request id,
// forwarding headers, peer metadata, hash key, path rewrite) and the
// response headers on the way back (header ops, peer metadata, server,
// CORS, hash cookie).
import { requestId as randomUUID } from './request-id';
import type { RouteActionConfig } from '@sextant/xds-client';
import type { ClusterRuntime } from './cluster-runtime';
import { getHeader, HOP_BY_HOP, removeHeader, setHeader } from './headers';
import type { HttpExchange } from './http-exchange';
import { PEER_HEADER, PEER_ID_HEADER } from './peer-metadata';
import { applyRequestOps, applyResponseOps, hashKey, rewritePath } from './request-mutations';
import type { CompiledRoute } from './route-matcher';
import type { RequestHead } from './upstream';

export function buildUpstreamHead(ex: HttpExchange, action: RouteActionConfig, route: CompiledRoute, cluster: ClusterRuntime): RequestHead {
  const h = ex.headers;
  const hcm = ex.hcm;
  const cfg = hcm.config;
  const svc = ex.services;
  const peerExchange = svc.options.exchangePeerMetadata;
  const inbound = hcm.direction === 'inbound';
  // One pass: drop hop-by-hop headers ("te: trailers" travels, for gRPC) and peer
  // metadata, and note the headers the proxy may add or extend.
  let requestId: string | undefined;
  let forwardedProto = false;
  let xff: string | undefined;
  let peerHeader: string | undefined;
  let w = 0;
  for (let r = 0; r < h.length; r += 2) {
    const n = h[r]!;
    const v = h[r + 1]!;
    if (HOP_BY_HOP.has(n) && !(n === 'te' && v === 'trailers')) continue;
    if (n.charCodeAt(0) === 120 /* x */) {
      if (n === 'x-request-id') requestId = v;
      else if (n === 'x-forwarded-proto') forwardedProto = true;
      else if (n === 'x-forwarded-for') xff = v;
      else if (n === 'x-forwarded-client-cert') continue; // Envoy's SANITIZE; mTLS connections get their own below
      else if (peerExchange && (n === PEER_HEADER || n === PEER_ID_HEADER)) {
        if (n === PEER_HEADER) peerHeader = v;
        continue;
      }
    }
    if (w !== r) {
      h[w] = n;
      h[w + 1] = v;
    }
    w += 2;
  }
  h.length = w;
  const ops = ex.weightedIndex >= 0 ? [route.weighted!.headers[ex.weightedIndex]!, ...route.headerOps] : route.headerOps;
  if (ops.length > 0) {
    applyRequestOps(h, ops, ex);
    requestId = getHeader(h, 'x-request-id');
  }
  let authority = ex.authority;
  const hr = action.hostRewrite;
  const whr = ex.weightedIndex >= 0 ? route.weighted!.hostRewrite[ex.weightedIndex] : undefined;
  if (whr !== undefined) authority = whr;
  else if (hr !== undefined) {
    if (hr.kind === 'literal') authority = hr.value;
    else if (hr.kind === 'header') authority = getHeader(h, hr.header) ?? authority;
  }
  if (cfg.generateRequestId && (requestId === undefined || (cfg.useRemoteAddress && !cfg.preserveExternalRequestId))) {
    if (requestId !== undefined) removeHeader(h, 'x-request-id');
    requestId = randomUUID();
    h.push('x-request-id', requestId);
  }
  ex.requestId = requestId ?? '';
  if (!forwardedProto) h.push('x-forwarded-proto', ex.conn.secure === true ? 'https' : ex.scheme);
  if (cfg.useRemoteAddress && !cfg.skipXffAppend) {
    if (xff !== undefined) removeHeader(h, 'x-forwarded-for');
    h.push('x-forwarded-for', xff ? `${xff}, ${ex.conn.remoteAddress}` : ex.conn.remoteAddress);
  }
  if (ex.conn.xfcc !== undefined) h.push('x-forwarded-client-cert', ex.conn.xfcc);
  if (peerExchange) {
    if (inbound) ex.peer = svc.peers.decode(peerHeader);
    else if (svc.peerHeaders !== undefined) h.push(PEER_ID_HEADER, svc.peerHeaders.id, PEER_HEADER, svc.peerHeaders.metadata);
  }
  if (route.attemptCountHeader) setHeader(h, 'x-envoy-attempt-count', '1');
  const policies = action.hashPolicy;
  if (policies.length > 0 && (cluster.config.lbPolicy === 'RING_HASH' || cluster.config.lbPolicy === 'MAGLEV')) {
    const k = hashKey(policies, { headers: h, path: ex.path, remoteAddress: ex.conn.remoteAddress });
    ex.hash = k.hash;
    ex.setCookie = k.setCookie;
  }
  const path = action.prefixRewrite !== undefined || route.regexRewrite !== undefined ? rewritePath(ex.path, route, action) : ex.path;
  const up = ex.upgrade !== undefined && hcm.upgrades.has(ex.upgrade) && action.upgrades[ex.upgrade] !== false ? ex.upgrade : undefined;
  ex.upgrade = up;
  const head: RequestHead = { method: ex.method, path, authority, scheme: ex.scheme, headers: h, contentLength: ex.contentLength, hasBody: ex.hasBody };
  if (up !== undefined) head.upgrade = up;
  return head;
}

export function prepareResponseHeaders(ex: HttpExchange, h: string[]): void {
  const svc = ex.services;
  const cfg = ex.hcm.config;
  const inbound = ex.hcm.direction === 'inbound';
  const peerExchange = svc.options.exchangePeerMetadata;
  const upgrade = ex.upgrade !== undefined;
  const overwriteServer = cfg.serverHeader === 'OVERWRITE';
  let peerHeader: string | undefined;
  let hasServer = false;
  let w = 0;
  for (let r = 0; r < h.length; r += 2) {
    const n = h[r]!;
    if (HOP_BY_HOP.has(n) && !(upgrade && (n === 'upgrade' || n === 'connection'))) continue;
    if (peerExchange && (n === PEER_HEADER || n === PEER_ID_HEADER)) {
      if (n === PEER_HEADER) peerHeader = h[r + 1];
      if (!inbound) continue;
    }
    if (n === 'server') {
      if (overwriteServer) continue;
      hasServer = true;
    }
    if (w !== r) {
      h[w] = n;
      h[w + 1] = h[r + 1]!;
    }
    w += 2;
  }
  h.length = w;
  const route = ex.route;
  if (route !== undefined) {
    const ops = ex.weightedIndex >= 0 ? [route.weighted!.headers[ex.weightedIndex]!, ...route.headerOps] : route.headerOps;
    if (ops.length > 0) applyResponseOps(h, ops, ex);
    if (route.attemptCountInResponse) setHeader(h, 'x-envoy-attempt-count', String(ex.attempts));
  }
  if (peerExchange) {
    if (inbound) {
      if (svc.peerHeaders !== undefined) {
        if (peerHeader !== undefined) {
          removeHeader(h, PEER_HEADER);
          removeHeader(h, PEER_ID_HEADER);
        }
        h.push(PEER_ID_HEADER, svc.peerHeaders.id, PEER_HEADER, svc.peerHeaders.metadata);
      }
    } else if (peerHeader !== undefined) ex.peer = svc.peers.decode(peerHeader);
  }
  if (ex.upstreamServiceMs >= 0) h.push('x-envoy-upstream-service-time', String(Math.round(ex.upstreamServiceMs)));
  if (overwriteServer || (cfg.serverHeader === 'APPEND_IF_ABSENT' && !hasServer)) h.push('server', cfg.serverName);
  if (ex.corsHeaders !== undefined) for (let i = 0; i < ex.corsHeaders.length; i += 2) setHeader(h, ex.corsHeaders[i]!, ex.corsHeaders[i + 1]!);
  if (ex.setCookie !== undefined) h.push('set-cookie', ex.setCookie);
  if (cfg.alwaysSetRequestIdInResponse && ex.requestId) setHeader(h, 'x-request-id', ex.requestId);
}
