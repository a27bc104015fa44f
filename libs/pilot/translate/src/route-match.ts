// VirtualService HTTPMatchRequest -> Envoy RouteMatch (Istio's
// TranslateRouteMatch): uri exact/prefix/regex (RE2 safe_regex), headers and
// withoutHeaders (inverted), method, authority, scheme, query parameters,
// ignoreUriCase. An empty StringMatch (or regex `*`) means "present".
import type { HTTPMatchRequest, StringMatch } from '@sextant/config-model';
import type { HeaderMatcherObject, QueryParameterMatcherObject, RouteMatchObject, StringMatcherObject } from './envoy-types';
import { sortBy } from './values';

function isPresentMatch(m: StringMatch | undefined | null): boolean {
  if (!m) return true;
  if (m.exact === undefined && m.prefix === undefined && m.regex === undefined) return true;
  return m.regex === '*';
}

export function stringMatcher(m: StringMatch): StringMatcherObject | undefined {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  if (m.regex !== undefined) return { safeRegex: { regex: m.regex } };
  return undefined;
}

export function headerMatcher(name: string, m: StringMatch | undefined): HeaderMatcherObject {
  if (isPresentMatch(m)) return { name, presentMatch: true };
  return { name, stringMatch: stringMatcher(m!)! };
}

function queryMatcher(name: string, m: StringMatch | undefined): QueryParameterMatcherObject {
  if (isPresentMatch(m)) return { name, presentMatch: true };
  return { name, stringMatch: stringMatcher(m!)! };
}

/** The Envoy RouteMatch for one Istio match (undefined: match everything). */
export function translateRouteMatch(match: HTTPMatchRequest | undefined): RouteMatchObject {
  const out: RouteMatchObject = { prefix: '/' };
  if (!match) return out;
  const headers: HeaderMatcherObject[] = [];
  for (const [name, m] of Object.entries(match.headers ?? {})) headers.push(headerMatcher(name.toLowerCase(), m));
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) {
    const h = headerMatcher(name.toLowerCase(), m);
    h.invertMatch = true;
    if (!h.presentMatch) h.treatMissingHeaderAsEmpty = true;
    headers.push(h);
  }
  sortBy(headers, (h) => h.name);
  if (match.uri) {
    const u = match.uri;
    delete out.prefix;
    if (u.exact !== undefined) out.path = u.exact;
    else if (u.prefix !== undefined) out.prefix = u.prefix;
    else if (u.regex !== undefined) out.safeRegex = { regex: u.regex };
    else out.prefix = '/';
  }
  if (match.ignoreUriCase) out.caseSensitive = { value: false };
  if (match.method) headers.push(headerMatcher(':method', match.method));
  if (match.authority) headers.push(headerMatcher(':authority', match.authority));
  if (match.scheme) headers.push(headerMatcher(':scheme', match.scheme));
  if (headers.length > 0) out.headers = headers;
  const params = Object.entries(match.queryParams ?? {}).map(([name, m]) => queryMatcher(name, m));
  if (params.length > 0) out.queryParameters = sortBy(params, (p) => p.name);
  return out;
}

/** A route that matches every request (Istio's IsCatchAllRoute). */
export function isCatchAll(m: RouteMatchObject): boolean {
  const pathAll = m.prefix === '/' || m.safeRegex?.regex === '.*';
  return pathAll && !m.headers?.length && !m.queryParameters?.length;
}
