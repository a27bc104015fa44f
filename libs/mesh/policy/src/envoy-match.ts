// Evaluation of the Envoy matchers this library emits, with Envoy's
// semantics: StringMatcher (exact/prefix/suffix/contains, ignore_case;
// safe_regex must match the whole value), HeaderMatcher (header names are
// case-insensitive, repeated headers join with ","), CIDR ranges, metadata
// paths with ValueMatcher (string, list one_of, or, present) and URI
// templates. Part of the reference evaluator; pure.
import { parseIp } from './matchers';
import type { CidrRangeObject, HeaderMatcherObject, MetadataMatcherObject, StringMatcherObject, ValueMatcherObject } from './rbac-types';

const regexCache = new Map<string, RegExp>();

/** RE2 full match via a JS RegExp (the regexes we emit use the common subset). */
function fullMatch(regex: string, value: string): boolean {
  let re = regexCache.get(regex);
  if (!re) {
    re = new RegExp(`^(?:${regex})$`, 's');
    regexCache.set(regex, re);
  }
  return re.test(value);
}

export function matchString(m: StringMatcherObject, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.safeRegex) return fullMatch(m.safeRegex.regex, value);
  const v = m.ignoreCase ? value.toLowerCase() : value;
  const norm = (s: string) => (m.ignoreCase ? s.toLowerCase() : s);
  if (m.exact !== undefined) return v === norm(m.exact);
  if (m.prefix !== undefined) return v.startsWith(norm(m.prefix));
  if (m.suffix !== undefined) return v.endsWith(norm(m.suffix));
  if (m.contains !== undefined) return v.includes(norm(m.contains));
  return false;
}

export type HeaderMap = Readonly<Record<string, string | readonly string[]>>;

/** A header's value as Envoy's matchers see it: name case-insensitive, repeated values joined with ",". */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const want = name.toLowerCase();
  const values: string[] = [];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) values.push(...(typeof v === 'string' ? [v] : v));
  return values.length > 0 ? values.join(',') : undefined;
}

export function matchHeader(h: HeaderMatcherObject, headers: HeaderMap): boolean {
  const value = headerValue(headers, h.name);
  let result: boolean;
  if (h.presentMatch !== undefined) result = value !== undefined && h.presentMatch;
  else if (h.stringMatch) result = matchString(h.stringMatch, value);
  else result = value !== undefined;
  return h.invertMatch ? !result : result;
}

export function matchCidr(c: CidrRangeObject, ip: string | undefined): boolean {
  if (!ip) return false;
  const want = parseIp(c.addressPrefix);
  const got = parseIp(ip);
  if (!want || !got || want.length !== got.length) return false;
  let bits = c.prefixLen.value;
  for (let i = 0; i < want.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((want[i]! & mask) !== (got[i]! & mask)) return false;
  }
  return true;
}

export function matchValue(m: ValueMatcherObject, value: unknown): boolean {
  if (m.presentMatch !== undefined) return value !== undefined && value !== null;
  if (m.stringMatch) return typeof value === 'string' && matchString(m.stringMatch, value);
  if (m.listMatch) return Array.isArray(value) && value.some((v) => matchValue(m.listMatch!.oneOf, v));
  if (m.orMatch) return m.orMatch.valueMatchers.some((x) => matchValue(x, value));
  return false;
}

/** Dynamic metadata: filter namespace -> structured value. */
export type DynamicMetadata = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export function metadataAt(md: DynamicMetadata, filter: string, path: readonly { key: string }[]): unknown {
  let v: unknown = md[filter];
  for (const { key } of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function matchMetadata(m: MetadataMatcherObject, md: DynamicMetadata): boolean {
  return matchValue(m.value, metadataAt(md, m.filter, m.path));
}

/**
 * Envoy's URI template: `*` one path segment, `**` any number of segments
 * (including none), `{v}`/`{v=*}` and `{v=**}` the same with a name; the
 * rest literal.
 */
export function matchUriTemplate(template: string, path: string): boolean {
  let re = '';
  for (let i = 0; i < template.length; ) {
    const rest = template.slice(i);
    const v = /^\{[A-Za-z_][A-Za-z0-9_]*(?:=(\*\*|\*))?\}/.exec(rest);
    if (v) {
      re += v[1] === '**' ? '.*' : '[^/]+';
      i += v[0].length;
    } else if (rest.startsWith('**')) {
      re += '.*';
      i += 2;
    } else if (rest.startsWith('*')) {
      re += '[^/]+';
      i += 1;
    } else {
      re += rest[0]!.replace(/[\\.+?()|[\]{}^$]/g, '\\$&');
      i += 1;
    }
  }
  return fullMatch(re, path);
}
