// Envoy matchers from Istio's value syntax: `*` alone means "present / any
// non-empty value", `*abc` a suffix, `abc*` a prefix, anything else exact.
// Plus CIDR parsing (Istio: a bare address is a /32 or /128) without node:net.
import type { CidrRangeObject, HeaderMatcherObject, MetadataMatcherObject, StringMatcherObject, ValueMatcherObject } from './rbac-types';

/** Escapes RE2 metacharacters (like Go's regexp.QuoteMeta). */
export function quoteRegex(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export function exactMatcher(v: string, ignoreCase = false): StringMatcherObject {
  return ignoreCase ? { exact: v, ignoreCase: true } : { exact: v };
}

export function prefixMatcher(v: string, ignoreCase = false): StringMatcherObject {
  return ignoreCase ? { prefix: v, ignoreCase: true } : { prefix: v };
}

export function suffixMatcher(v: string, ignoreCase = false): StringMatcherObject {
  return ignoreCase ? { suffix: v, ignoreCase: true } : { suffix: v };
}

export function regexMatcher(regex: string): StringMatcherObject {
  return { safeRegex: { regex } };
}

/**
 * Istio's wildcard value as a StringMatcher, with `prefix` (e.g. `spiffe://`)
 * put in front of the literal part: `*` -> regex `.+` (prefix ignored),
 * `*x` -> suffix (regex `<prefix>.*x` when a prefix is given), `x*` -> prefix,
 * else exact.
 */
export function wildcardMatcher(v: string, prefix = ''): StringMatcherObject {
  if (v === '*') return regexMatcher('.+');
  if (v.startsWith('*')) return prefix === '' ? suffixMatcher(v.slice(1)) : regexMatcher(`${quoteRegex(prefix)}.*${quoteRegex(v.slice(1))}`);
  if (v.endsWith('*')) return prefixMatcher(prefix + v.slice(0, -1));
  return exactMatcher(prefix + v);
}

/** A request header against an Istio value (`*` = present). */
export function headerMatcher(name: string, v: string, ignoreCase = false): HeaderMatcherObject {
  if (v === '*') return { name, presentMatch: true };
  if (v.startsWith('*')) return { name, stringMatch: suffixMatcher(v.slice(1), ignoreCase) };
  if (v.endsWith('*')) return { name, stringMatch: prefixMatcher(v.slice(0, -1), ignoreCase) };
  return { name, stringMatch: exactMatcher(v, ignoreCase) };
}

/** OR of string matchers as one ValueMatcher (a single one stays bare). */
export function stringOrMatcher(values: readonly string[]): ValueMatcherObject {
  const list = values.map((v): ValueMatcherObject => ({ stringMatch: wildcardMatcher(v) }));
  return list.length === 1 ? list[0]! : { orMatch: { valueMatchers: list } };
}

/**
 * Metadata at `filter` / keys..., matching a claim that is either a list
 * containing a matching string or the string itself (Istio's extended JWT
 * matcher).
 */
export function claimMatcher(filter: string, keys: readonly string[], value: ValueMatcherObject): MetadataMatcherObject {
  return { filter, path: keys.map((key) => ({ key })), value: { orMatch: { valueMatchers: [{ listMatch: { oneOf: value } }, value] } } };
}

/** Metadata at `filter` / keys... matching a string. */
export function metadataStringMatcher(filter: string, keys: readonly string[], m: StringMatcherObject): MetadataMatcherObject {
  return { filter, path: keys.map((key) => ({ key })), value: { stringMatch: m } };
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** 16 bytes of an IPv6 address (embedded IPv4 allowed), or undefined. */
export function parseIpv6(s: string): number[] | undefined {
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push(v4[0]! * 256 + v4[1]!, v4[2]! * 256 + v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const words = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Address bytes (4 or 16) of an IP literal, or undefined. */
export function parseIp(s: string): number[] | undefined {
  return parseIpv4(s) ?? parseIpv6(s);
}

/** `10.0.0.1` (-> /32), `10.0.0.0/16`, `::1`, `fd00::/8` as a CidrRange; undefined when malformed. */
export function cidrRange(value: string): CidrRangeObject | undefined {
  const slash = value.indexOf('/');
  const addr = slash < 0 ? value : value.slice(0, slash);
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { addressPrefix: addr, prefixLen: { value: max } };
  const lenText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return undefined;
  return { addressPrefix: addr, prefixLen: { value: Number(lenText) } };
}
