// Compiled matchers: StringMatch, header and query matchers become small
// predicate objects built once per configuration, evaluated per request.
// Regular expressions use RE2 semantics (re2js, linear time, full match).
import type { HeaderMatcherConfig, QueryParamMatcherConfig, StringMatch } from '@sextant/xds-client';
import { getHeader } from './headers';
import { RE2 } from './re2-lazy';

export type StringPredicate = (value: string) => boolean;

export function compileStringMatch(m: StringMatch): StringPredicate {
  if (m.kind === 'regex') {
    const re = RE2().compile(m.regex);
    return (v) => re.matches(v);
  }
  const want = m.ignoreCase ? m.value.toLowerCase() : m.value;
  const norm = m.ignoreCase ? (v: string) => v.toLowerCase() : (v: string) => v;
  switch (m.kind) {
    case 'exact':
      return (v) => norm(v) === want;
    case 'prefix':
      return (v) => norm(v).startsWith(want);
    case 'suffix':
      return (v) => norm(v).endsWith(want);
    case 'contains':
      return (v) => norm(v).includes(want);
  }
}

/** Request facts header matchers may look at besides real headers. */
export interface MatchInput {
  headers: readonly string[];
  method: string;
  path: string;
  authority: string;
  scheme: string;
}

export type HeaderPredicate = (input: MatchInput) => boolean;

function headerValue(input: MatchInput, name: string): string | undefined {
  switch (name) {
    case ':method':
      return input.method;
    case ':path':
      return input.path;
    case ':authority':
    case 'host':
      return input.authority;
    case ':scheme':
      return input.scheme;
  }
  // Envoy joins repeated headers with "," before matching.
  let found: string | undefined;
  const h = input.headers;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i] === name) found = found === undefined ? h[i + 1] : `${found},${h[i + 1]}`;
  }
  return found;
}

export function compileHeaderMatcher(m: HeaderMatcherConfig): HeaderPredicate {
  const { name, invert, treatMissingAsEmpty } = m;
  let test: (v: string | undefined) => boolean;
  const match = m.match;
  if (match.kind === 'present') {
    test = (v) => (v !== undefined) === match.present;
  } else if (match.kind === 'range') {
    test = (v) => {
      if (v === undefined || !/^-?\d+$/.test(v)) return false;
      const n = Number(v);
      return n >= match.start && n < match.end;
    };
  } else {
    const p = compileStringMatch(match);
    test = (v) => {
      if (v === undefined) return treatMissingAsEmpty ? p('') : false;
      return p(v);
    };
  }
  if (!invert) return (input) => test(headerValue(input, name));
  // An inverted matcher on a missing header does not match (Envoy), except present_match.
  return (input) => {
    const v = headerValue(input, name);
    if (v === undefined && match.kind !== 'present' && !treatMissingAsEmpty) return false;
    return !test(v);
  };
}

export function compileHeaderMatchers(list: readonly HeaderMatcherConfig[]): HeaderPredicate | undefined {
  if (list.length === 0) return undefined;
  const preds = list.map(compileHeaderMatcher);
  if (preds.length === 1) return preds[0];
  return (input) => {
    for (const p of preds) if (!p(input)) return false;
    return true;
  };
}

/** Query parameters of a path ("/a?x=1&y") -> first value per name (decoded). */
export function queryValue(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  const end = path.indexOf('#', q);
  const query = path.slice(q + 1, end < 0 ? undefined : end);
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (key === name) return eq < 0 ? '' : safeDecode(part.slice(eq + 1));
  }
  return undefined;
}

function safeDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export type QueryPredicate = (path: string) => boolean;

export function compileQueryMatchers(list: readonly QueryParamMatcherConfig[]): QueryPredicate | undefined {
  if (list.length === 0) return undefined;
  const preds = list.map((m): QueryPredicate => {
    if (m.match.kind === 'present') return (path) => queryValue(path, m.name) !== undefined;
    const p = compileStringMatch(m.match);
    return (path) => {
      const v = queryValue(path, m.name);
      return v !== undefined && p(v);
    };
  });
  return (path) => {
    for (const p of preds) if (!p(path)) return false;
    return true;
  };
}

export { getHeader };
