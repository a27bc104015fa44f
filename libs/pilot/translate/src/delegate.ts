// Delegate VirtualServices (Istio's mergeVirtualServicesIfNeeded): a root
// route with `delegate` is replaced by the delegate's routes, each match
// merged with the root's (the delegate must narrow the root: its uri within
// the root's prefix, no contradicting headers), and root route fields the
// delegate leaves unset inherited.
import type { HTTPMatchRequest, HTTPRoute, StringMatch } from '@sextant/config-model';
import type { IndexedVirtualService } from '@sextant/pilot-model';
import type { TranslateContext } from './context';

export interface FlatRoute {
  route: HTTPRoute;
  /** Namespace destination hosts resolve in (the delegate's for delegated routes). */
  namespace: string;
  /** VirtualService name (for decorators). */
  vsName: string;
}

const sameMatch = (a: StringMatch | undefined, b: StringMatch | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function mergeUri(root: StringMatch | undefined, del: StringMatch | undefined): StringMatch | undefined | null {
  if (!root) return del;
  if (!del) return root;
  if (sameMatch(root, del)) return del;
  if (root.prefix !== undefined) {
    if (del.prefix !== undefined && del.prefix.startsWith(root.prefix)) return del;
    if (del.exact !== undefined && del.exact.startsWith(root.prefix)) return del;
    if (del.regex !== undefined) return del;
  }
  return null;
}

function mergeMaps(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined): Record<string, StringMatch> | undefined | null {
  if (!a) return b;
  if (!b) return a;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (out[k] && !sameMatch(out[k], v)) return null;
    out[k] = v;
  }
  return out;
}

function pick<T>(a: T | undefined, b: T | undefined): T | undefined | null {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return JSON.stringify(a) === JSON.stringify(b) ? a : null;
}

/** Merges one root match with one delegate match; null when they contradict. */
export function mergeMatch(root: HTTPMatchRequest, del: HTTPMatchRequest): HTTPMatchRequest | null {
  const uri = mergeUri(root.uri, del.uri);
  const headers = mergeMaps(root.headers, del.headers);
  const without = mergeMaps(root.withoutHeaders, del.withoutHeaders);
  const query = mergeMaps(root.queryParams, del.queryParams);
  const method = pick(root.method, del.method);
  const authority = pick(root.authority, del.authority);
  const scheme = pick(root.scheme, del.scheme);
  const port = pick(root.port, del.port);
  const sourceLabels = pick(root.sourceLabels, del.sourceLabels);
  const gateways = pick(root.gateways, del.gateways);
  if ([uri, headers, without, query, method, authority, scheme, port, sourceLabels, gateways].some((v) => v === null)) return null;
  const out: HTTPMatchRequest = {};
  if (uri) out.uri = uri;
  if (headers) out.headers = headers;
  if (without) out.withoutHeaders = without;
  if (query) out.queryParams = query;
  if (method) out.method = method;
  if (authority) out.authority = authority;
  if (scheme) out.scheme = scheme;
  if (port) out.port = port;
  if (sourceLabels) out.sourceLabels = sourceLabels;
  if (gateways) out.gateways = gateways;
  if (root.ignoreUriCase || del.ignoreUriCase) out.ignoreUriCase = true;
  const name = [root.name, del.name].filter(Boolean).join('-');
  if (name) out.name = name;
  return out;
}

function mergeMatches(root: HTTPMatchRequest[] | undefined, del: HTTPMatchRequest[] | undefined): HTTPMatchRequest[] | undefined | null {
  if (!root?.length) return del;
  if (!del?.length) return root;
  const out: HTTPMatchRequest[] = [];
  for (const r of root) for (const d of del) {
    const m = mergeMatch(r, d);
    if (m) out.push(m);
  }
  return out.length > 0 ? out : null;
}

const INHERITED = ['rewrite', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercentage', 'mirrors', 'corsPolicy', 'headers'] as const;

/** The VirtualService's HTTP routes with delegates expanded (one level, as Istio). */
export function flattenHttpRoutes(ctx: TranslateContext, vs: IndexedVirtualService): FlatRoute[] {
  const out: FlatRoute[] = [];
  for (const route of vs.resource.spec.http ?? []) {
    if (!route.delegate) {
      out.push({ route, namespace: vs.namespace, vsName: vs.resource.metadata.name });
      continue;
    }
    const ref = `${route.delegate.namespace || vs.namespace}/${route.delegate.name}`;
    const d = ctx.push.virtualServiceIndex.delegate(ref, vs.namespace);
    if (!d) {
      ctx.warn(`VirtualService ${vs.ref}: delegate ${ref} not found or not exported to ${vs.namespace}`);
      continue;
    }
    for (const dr of d.resource.spec.http ?? []) {
      if (dr.delegate) {
        ctx.warn(`VirtualService ${d.ref}: nested delegation is not supported`);
        continue;
      }
      const match = mergeMatches(route.match, dr.match);
      if (match === null) continue;
      const merged: HTTPRoute = { ...dr };
      if (match) merged.match = match;
      else delete merged.match;
      for (const f of INHERITED) if (merged[f] === undefined && route[f] !== undefined) (merged as Record<string, unknown>)[f] = route[f];
      out.push({ route: merged, namespace: d.namespace, vsName: d.resource.metadata.name });
    }
  }
  return out;
}
