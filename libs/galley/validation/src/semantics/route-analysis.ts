// Warnings about VirtualService rules that can never apply: a rule after a
// rule without matches, a match identical to an earlier one, and an HTTP
// prefix match that an earlier, shorter prefix already covers.
import type { HTTPMatchRequest, StringMatch } from '@sextant/config-model';
import type { Findings } from '../findings';
import { itemPath } from '../issue';

interface RouteLike {
  name?: string;
  match?: readonly object[];
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const ruleName = (route: RouteLike, n: number) => (route.name ? JSON.stringify(route.name) : `#${n}`);
const matchName = (match: object, n: number) => {
  const name = (match as { name?: unknown }).name;
  return typeof name === 'string' && name ? JSON.stringify(name) : `#${n}`;
};

interface PrefixMatch {
  rule: string;
  match: string;
  path: string;
  prefix: string;
  port: number;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

const exactOrPrefix = (sm: StringMatch | undefined) =>
  sm?.exact ? `exact:${sm.exact}` : sm?.prefix ? `prefix:${sm.prefix}` : '';
const mapOf = (m: Record<string, StringMatch> | undefined) => new Map(Object.entries(m ?? {}).map(([k, v]) => [k, exactOrPrefix(v)]));

function prefixMatch(route: RouteLike, rulen: number, match: HTTPMatchRequest, matchn: number, path: string): PrefixMatch | undefined {
  const prefix = match.uri?.prefix;
  if (!prefix) return undefined;
  return {
    rule: ruleName(route, rulen),
    match: matchName(match, matchn),
    path,
    prefix,
    port: match.port ?? 0,
    method: exactOrPrefix(match.method) || 'exact:GET',
    authority: exactOrPrefix(match.authority),
    headers: mapOf(match.headers),
    queryParams: mapOf(match.queryParams),
    withoutHeaders: mapOf(match.withoutHeaders),
  };
}

function covers(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || (v !== w && !v.startsWith(w))) return false;
  }
  return true;
}

/** Does the earlier match `a` take every request the later match `b` would? (Istio's heuristic.) */
function covered(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false;
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false;
  return covers(a.headers, b.headers) && covers(a.queryParams, b.queryParams) && covers(a.withoutHeaders, b.withoutHeaders);
}

/** Warns about unreachable rules and ineffective matches in one route list (`spec.http`, `spec.tcp` or `spec.tls`). */
export function analyzeRoutes(f: Findings, path: string, routes: readonly RouteLike[] | undefined, http: boolean): void {
  if (!routes) return;
  const seen = new Map<string, number>();
  let catchAll = -1;
  const prefixes: PrefixMatch[] = [];
  routes.forEach((route, rulen) => {
    const rulePath = itemPath(path, rulen);
    const matches = route.match ?? [];
    if (matches.length === 0) {
      if (catchAll >= 0) f.warn(rulePath, 'UNREACHABLE_RULE', `rule ${ruleName(route, rulen)} not used (only the last rule can have no matches)`);
      catchAll = rulen;
      return;
    }
    let duplicates = 0;
    matches.forEach((match, matchn) => {
      const matchPath = itemPath(`${rulePath}.match`, matchn);
      if (catchAll >= 0) {
        f.warn(rulePath, 'UNREACHABLE_RULE', `rule ${ruleName(route, rulen)} not used (route without matches defined before)`);
        return;
      }
      const { name: _name, ...rest } = match as { name?: string };
      const key = canonicalJson(rest);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        f.warn(matchPath, 'INEFFECTIVE_MATCH', `rule ${ruleName(route, rulen)} match ${matchName(match, matchn)} is not used (duplicate/overlapping match in rule ${ruleName(routes[earlier]!, earlier)})`);
        duplicates++;
        return;
      }
      seen.set(key, rulen);
      const pm = http ? prefixMatch(route, rulen, match as HTTPMatchRequest, matchn, matchPath) : undefined;
      if (pm) prefixes.push(pm);
    });
    if (duplicates === matches.length) f.warn(rulePath, 'UNREACHABLE_RULE', `rule ${ruleName(route, rulen)} not used (all matches used by prior rules)`);
  });
  for (let i = 0; i < prefixes.length; i++) {
    for (let j = i + 1; j < prefixes.length; j++) {
      const a = prefixes[i]!;
      const b = prefixes[j]!;
      if (a.prefix === b.prefix || !covered(a, b)) continue;
      f.warn(b.path, 'INEFFECTIVE_MATCH', `rule ${b.rule} match ${b.match} of prefix ${b.prefix} is not used (covered by match ${a.match} of prefix ${a.prefix} on rule ${a.rule})`);
    }
  }
}
