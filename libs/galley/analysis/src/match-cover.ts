// "Does match A take every request match B would?" for VirtualService
// matches. Answers true only when it is sure: a field it cannot reason about
// (an unknown field, two different regular expressions) makes the answer
// false, so a shadowing report is never a guess.
import { hostIsSubsetOf, type HTTPMatchRequest, type L4MatchAttributes, type StringMatch, type TLSMatchAttributes } from '@sextant/config-model';

const HTTP_FIELDS = new Set(['uri', 'scheme', 'method', 'authority', 'headers', 'port', 'sourceLabels', 'gateways', 'queryParams', 'ignoreUriCase', 'withoutHeaders', 'sourceNamespace', 'statPrefix', 'name']);
const L4_FIELDS = new Set(['destinationSubnets', 'port', 'sourceLabels', 'gateways', 'sourceNamespace', 'sourceSubnet', 'sniHosts']);
const UNIVERSAL_REGEX = new Set(['.*', '^.*$', '(.*)', '.*$', '^.*']);

const isEmptyMatch = (m: StringMatch | undefined): boolean => !m || (m.exact === undefined && m.prefix === undefined && m.regex === undefined);

/** Would the regular expression accept the whole of `text`? undefined when JavaScript cannot compile it. */
function regexAccepts(regex: string, text: string): boolean | undefined {
  try {
    return new RegExp(`^(?:${regex})$`, 'u').test(text);
  } catch {
    return undefined;
  }
}

/**
 * Does string match `a` accept every value `b` accepts? `universal` is the
 * prefix that every value has (`/` for paths). Case-insensitive matching
 * (ignoreUriCase) widens a match.
 */
export function stringCovers(a: StringMatch | undefined, b: StringMatch | undefined, opts: { universalPrefix?: string; aIgnoreCase?: boolean; bIgnoreCase?: boolean } = {}): boolean {
  if (isEmptyMatch(a)) return true;
  const fold = (s: string) => (opts.aIgnoreCase ? s.toLowerCase() : s);
  if (a!.regex !== undefined && UNIVERSAL_REGEX.has(a!.regex)) return true;
  if (a!.prefix !== undefined && (a!.prefix === '' || (opts.universalPrefix !== undefined && a!.prefix === opts.universalPrefix))) return true;
  if (isEmptyMatch(b)) return false;
  if (opts.bIgnoreCase && !opts.aIgnoreCase) return false;
  const bv = b!;
  if (a!.exact !== undefined) return bv.exact !== undefined && fold(bv.exact) === fold(a!.exact);
  if (a!.prefix !== undefined) {
    const p = fold(a!.prefix);
    if (bv.exact !== undefined) return fold(bv.exact).startsWith(p);
    if (bv.prefix !== undefined) return fold(bv.prefix).startsWith(p);
    return false;
  }
  if (a!.regex !== undefined) {
    if (bv.regex !== undefined) return bv.regex === a!.regex && !opts.aIgnoreCase === !opts.bIgnoreCase;
    if (bv.exact !== undefined && !opts.aIgnoreCase && !opts.bIgnoreCase) return regexAccepts(a!.regex, bv.exact) === true;
  }
  return false;
}

/** Header or query match `a` (one key) is only a presence test: `{}` or a match-anything regex. */
const presenceOnly = (m: StringMatch): boolean => isEmptyMatch(m) || (m.regex !== undefined && UNIVERSAL_REGEX.has(m.regex));

function mapCovers(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined): boolean {
  for (const [key, am] of Object.entries(a ?? {})) {
    const bm = b?.[key];
    if (!bm) return false;
    if (presenceOnly(am)) continue;
    if (!stringCovers(am, bm)) return false;
  }
  return true;
}

/** `a` requires header k not to match; b must exclude at least as much. */
function withoutCovers(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined): boolean {
  for (const [key, am] of Object.entries(a ?? {})) {
    const bm = b?.[key];
    if (!bm) return false;
    if (presenceOnly(bm)) continue;
    if (!stringCovers(bm, am)) return false;
  }
  return true;
}

function labelsCover(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(a ?? {})) if (b?.[k] !== v) return false;
  return true;
}

function gatewaysCover(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || a.length === 0) return true;
  if (!b || b.length === 0) return false;
  return b.every((g) => a.includes(g));
}

const onlyKnown = (m: object, known: Set<string>) => Object.keys(m).every((k) => known.has(k));

/** Does HTTP match `a` take every request `b` matches? */
export function httpMatchCovers(a: HTTPMatchRequest, b: HTTPMatchRequest): boolean {
  if (!onlyKnown(a, HTTP_FIELDS) || !onlyKnown(b, HTTP_FIELDS)) return false;
  if (a.port !== undefined && a.port !== b.port) return false;
  if (a.sourceNamespace !== undefined && a.sourceNamespace !== b.sourceNamespace) return false;
  if (!labelsCover(a.sourceLabels, b.sourceLabels) || !gatewaysCover(a.gateways, b.gateways)) return false;
  const uriOpts = { universalPrefix: '/', aIgnoreCase: a.ignoreUriCase === true, bIgnoreCase: b.ignoreUriCase === true };
  if (!stringCovers(a.uri, b.uri, uriOpts)) return false;
  if (!stringCovers(a.scheme, b.scheme) || !stringCovers(a.method, b.method) || !stringCovers(a.authority, b.authority)) return false;
  return mapCovers(a.headers, b.headers) && mapCovers(a.queryParams, b.queryParams) && withoutCovers(a.withoutHeaders, b.withoutHeaders);
}

function subnetsCover(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || a.length === 0) return true;
  if (!b || b.length === 0) return false;
  return b.every((s) => a.includes(s));
}

/** Does TCP (or TLS) match `a` take every connection `b` matches? */
export function l4MatchCovers(a: L4MatchAttributes | TLSMatchAttributes, b: L4MatchAttributes | TLSMatchAttributes): boolean {
  if (!onlyKnown(a, L4_FIELDS) || !onlyKnown(b, L4_FIELDS)) return false;
  if (a.port !== undefined && a.port !== b.port) return false;
  if (a.sourceNamespace !== undefined && a.sourceNamespace !== b.sourceNamespace) return false;
  const as = (a as L4MatchAttributes).sourceSubnet;
  if (as !== undefined && as !== (b as L4MatchAttributes).sourceSubnet) return false;
  if (!labelsCover(a.sourceLabels, b.sourceLabels) || !gatewaysCover(a.gateways, b.gateways)) return false;
  if (!subnetsCover(a.destinationSubnets, b.destinationSubnets)) return false;
  const asni = (a as TLSMatchAttributes).sniHosts;
  if (asni && asni.length) {
    const bsni = (b as TLSMatchAttributes).sniHosts ?? [];
    if (bsni.length === 0 || !bsni.every((h) => asni.some((ah) => hostIsSubsetOf(h, ah)))) return false;
  }
  return true;
}

/** A rule's matches; an empty list means the rule takes everything. */
export interface RuleLike<M> {
  name?: string;
  match?: readonly M[];
}

export type CoverFn<M> = (a: M, b: M) => boolean;

/** The earlier match (rule index, match index; match -1 for a rule without matches) that takes every request `m` matches, if any. */
export function findCovering<M>(rules: readonly RuleLike<M>[], before: number, m: M, covers: CoverFn<M>): { rule: number; match: number } | undefined {
  for (let i = 0; i < before; i++) {
    const matches = rules[i]!.match ?? [];
    if (matches.length === 0) return { rule: i, match: -1 };
    const j = matches.findIndex((am) => covers(am, m));
    if (j >= 0) return { rule: i, match: j };
  }
  return undefined;
}
