// Decoders for Envoy's matchers and header mutations, shared by routes,
// retry policies and HTTP filters.
import type { Route__Output } from '@sextant/proto';
import { bool, checkRegex, type Issues } from './decode-support';
import type { HeaderAppend, HeaderMatcherConfig, HeaderOps, QueryParamMatcherConfig, StringMatch } from './route-types';

type RouteMatchMsg = NonNullable<Route__Output['match']>;
export type HeaderMatcherMsg = RouteMatchMsg['headers'][number];
type QueryMatcherMsg = RouteMatchMsg['queryParameters'][number];
export type StringMatcherMsg = NonNullable<HeaderMatcherMsg['stringMatch']>;
export type HeaderValueOptionMsg = Route__Output['requestHeadersToAdd'][number];

export function decodeStringMatch(m: StringMatcherMsg | null | undefined, path: string, issues: Issues): StringMatch | undefined {
  if (!m) {
    issues.error(path, 'missing string matcher');
    return undefined;
  }
  const ignoreCase = Boolean(m.ignoreCase);
  switch (m.matchPattern) {
    case 'exact':
      return { kind: 'exact', value: m.exact ?? '', ignoreCase };
    case 'prefix':
      return { kind: 'prefix', value: m.prefix ?? '', ignoreCase };
    case 'suffix':
      return { kind: 'suffix', value: m.suffix ?? '', ignoreCase };
    case 'contains':
      return { kind: 'contains', value: m.contains ?? '', ignoreCase };
    case 'safeRegex': {
      const regex = m.safeRegex?.regex ?? '';
      return checkRegex(regex, `${path}.safeRegex`, issues) ? { kind: 'regex', regex } : undefined;
    }
    default:
      issues.error(path, `string matcher ${m.matchPattern ?? '(none)'} is not supported`);
      return undefined;
  }
}

export function decodeHeaderMatcher(h: HeaderMatcherMsg, path: string, issues: Issues): HeaderMatcherConfig | undefined {
  const name = (h.name ?? '').toLowerCase();
  if (!name) issues.error(`${path}.name`, 'empty header name');
  const base = { name, invert: Boolean(h.invertMatch), treatMissingAsEmpty: Boolean(h.treatMissingHeaderAsEmpty) };
  switch (h.headerMatchSpecifier) {
    case 'exactMatch':
      return { ...base, match: { kind: 'exact', value: h.exactMatch ?? '', ignoreCase: false } };
    case 'prefixMatch':
      return { ...base, match: { kind: 'prefix', value: h.prefixMatch ?? '', ignoreCase: false } };
    case 'suffixMatch':
      return { ...base, match: { kind: 'suffix', value: h.suffixMatch ?? '', ignoreCase: false } };
    case 'containsMatch':
      return { ...base, match: { kind: 'contains', value: h.containsMatch ?? '', ignoreCase: false } };
    case 'safeRegexMatch': {
      const regex = h.safeRegexMatch?.regex ?? '';
      return checkRegex(regex, `${path}.safeRegexMatch`, issues) ? { ...base, match: { kind: 'regex', regex } } : undefined;
    }
    case 'presentMatch':
      return { ...base, match: { kind: 'present', present: Boolean(h.presentMatch) } };
    case 'rangeMatch':
      return { ...base, match: { kind: 'range', start: Number(h.rangeMatch?.start ?? 0), end: Number(h.rangeMatch?.end ?? 0) } };
    case 'stringMatch': {
      const match = decodeStringMatch(h.stringMatch, `${path}.stringMatch`, issues);
      return match ? { ...base, match } : undefined;
    }
    default:
      // No specifier: Envoy treats it as "header present".
      return { ...base, match: { kind: 'present', present: true } };
  }
}

export function decodeHeaderMatchers(list: HeaderMatcherMsg[] | null | undefined, path: string, issues: Issues): HeaderMatcherConfig[] {
  const out: HeaderMatcherConfig[] = [];
  (list ?? []).forEach((h, i) => {
    const m = decodeHeaderMatcher(h, `${path}[${i}]`, issues);
    if (m) out.push(m);
  });
  return out;
}

export function decodeQueryMatchers(list: QueryMatcherMsg[] | null | undefined, path: string, issues: Issues): QueryParamMatcherConfig[] {
  const out: QueryParamMatcherConfig[] = [];
  (list ?? []).forEach((q, i) => {
    const p = `${path}[${i}]`;
    if (!q.name) issues.error(`${p}.name`, 'empty query parameter name');
    if (q.queryParameterMatchSpecifier === 'stringMatch') {
      const match = decodeStringMatch(q.stringMatch, `${p}.stringMatch`, issues);
      if (match) out.push({ name: q.name, match });
    } else {
      out.push({ name: q.name, match: { kind: 'present' } });
    }
  });
  return out;
}

/** Envoy's pseudo-headers and Host may not be removed; ":*" may not be added except :authority via host rewrite. */
const FORBIDDEN_MUTATIONS = new Set([':method', ':path', ':scheme', ':protocol', 'host', ':authority']);

export function decodeHeaderAppends(list: HeaderValueOptionMsg[] | null | undefined, path: string, issues: Issues): HeaderAppend[] {
  const out: HeaderAppend[] = [];
  (list ?? []).forEach((o, i) => {
    const p = `${path}[${i}]`;
    const name = (o.header?.key ?? '').toLowerCase();
    if (!name) {
      issues.error(`${p}.header.key`, 'empty header name');
      return;
    }
    if (FORBIDDEN_MUTATIONS.has(name) || name.startsWith(':')) {
      issues.error(`${p}.header.key`, `header ${name} may not be modified`);
      return;
    }
    const value = o.header?.value ? o.header.value : o.header?.rawValue?.length ? Buffer.from(o.header.rawValue).toString('latin1') : '';
    let action: HeaderAppend['action'];
    if (o.append) action = bool(o.append, true) ? 'append' : 'overwrite';
    else {
      switch (o.appendAction) {
        case 'ADD_IF_ABSENT':
          action = 'add-if-absent';
          break;
        case 'OVERWRITE_IF_EXISTS_OR_ADD':
          action = 'overwrite';
          break;
        case 'OVERWRITE_IF_EXISTS':
          action = 'overwrite-if-exists';
          break;
        default:
          action = 'append';
      }
    }
    out.push({ name, value, action, keepEmpty: Boolean(o.keepEmptyValue) });
  });
  return out;
}

export function decodeHeaderRemovals(list: string[] | null | undefined, path: string, issues: Issues): string[] {
  const out: string[] = [];
  (list ?? []).forEach((raw, i) => {
    const name = raw.toLowerCase();
    if (FORBIDDEN_MUTATIONS.has(name) || name.startsWith(':')) issues.error(`${path}[${i}]`, `header ${name} may not be removed`);
    else out.push(name);
  });
  return out;
}

interface HeaderOpsMsg {
  requestHeadersToAdd?: HeaderValueOptionMsg[] | null;
  requestHeadersToRemove?: string[] | null;
  responseHeadersToAdd?: HeaderValueOptionMsg[] | null;
  responseHeadersToRemove?: string[] | null;
}

export function decodeHeaderOps(msg: HeaderOpsMsg, path: string, issues: Issues): HeaderOps {
  return {
    requestAdd: decodeHeaderAppends(msg.requestHeadersToAdd, `${path}.requestHeadersToAdd`, issues),
    requestRemove: decodeHeaderRemovals(msg.requestHeadersToRemove, `${path}.requestHeadersToRemove`, issues),
    responseAdd: decodeHeaderAppends(msg.responseHeadersToAdd, `${path}.responseHeadersToAdd`, issues),
    responseRemove: decodeHeaderRemovals(msg.responseHeadersToRemove, `${path}.responseHeadersToRemove`, issues),
  };
}
