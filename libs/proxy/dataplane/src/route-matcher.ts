// Route tables compiled from RouteConfig: virtual host selection by
// authority (exact, then longest suffix wildcard, then longest prefix
// wildcard, then "*"), then the first route whose match holds. Everything a
// request needs from its route is precomputed here, once per configuration.
import type {
  CorsPolicyConfig,
  FaultConfig,
  HeaderOps,
  LocalRateLimitConfig,
  MirrorPolicyConfig,
  PathMatch,
  RetryPolicyConfig,
  RouteActionConfig,
  RouteConfig,
  RouteEntryConfig,
  VirtualHostConfig,
} from '@sextant/xds-client';
import type { RE2JS } from 're2js';
import { compileHeaderMatchers, compileQueryMatchers, type HeaderPredicate, type MatchInput, type QueryPredicate } from './matchers';
import { RE2 } from './re2-lazy';

export interface RouteFilters {
  fault?: FaultConfig;
  cors?: CorsPolicyConfig;
  localRateLimit?: LocalRateLimitConfig;
  disabled: ReadonlySet<string>;
}

export interface CompiledWeighted {
  names: string[];
  /** Cumulative weights, last = total. */
  cumulative: number[];
  total: number;
  headers: HeaderOps[];
  filters: RouteFilters[];
  hostRewrite: (string | undefined)[];
}

export interface CompiledRoute {
  readonly entry: RouteEntryConfig;
  readonly vhost: CompiledVirtualHost;
  readonly table: CompiledRouteTable;
  readonly name: string;
  /** The forwarding action, when the route forwards. */
  readonly action: RouteActionConfig | undefined;
  readonly weighted: CompiledWeighted | undefined;
  readonly regexRewrite: { re: RE2JS; substitution: string } | undefined;
  readonly retryPolicy: RetryPolicyConfig | undefined;
  /** Header ops in the order Envoy applies them: route, then virtual host, then route configuration. */
  readonly headerOps: HeaderOps[];
  readonly filters: RouteFilters;
  readonly mirrors: MirrorPolicyConfig[];
  readonly attemptCountHeader: boolean;
  readonly attemptCountInResponse: boolean;
  match(input: MatchInput, pathNoQuery: string, rand: number): boolean;
}

export interface CompiledVirtualHost {
  readonly config: VirtualHostConfig;
  readonly routes: CompiledRoute[];
}

type PathTest = (path: string, pathNoQuery: string) => boolean;

function compilePath(p: PathMatch, caseSensitive: boolean): PathTest {
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
  switch (p.kind) {
    case 'prefix': {
      const v = fold(p.value);
      if (v === '' || v === '/') return (path) => path.startsWith(v);
      return caseSensitive ? (path) => path.startsWith(v) : (path) => path.toLowerCase().startsWith(v);
    }
    case 'path': {
      const v = fold(p.value);
      return caseSensitive ? (_p, pq) => pq === v : (_p, pq) => pq.toLowerCase() === v;
    }
    case 'separated': {
      const v = fold(p.value);
      return (_p, pq) => {
        const s = fold(pq);
        return s.startsWith(v) && (s.length === v.length || s.charCodeAt(v.length) === 47 /* / */);
      };
    }
    case 'regex': {
      const re = RE2().compile(p.regex, caseSensitive ? 0 : RE2().CASE_INSENSITIVE);
      return (_p, pq) => re.matches(pq);
    }
    case 'connect':
      return () => false;
  }
}

function effectiveFilters(levels: { perFilter: { fault?: FaultConfig; cors?: CorsPolicyConfig; localRateLimit?: LocalRateLimitConfig; disabled: string[] }; cors?: CorsPolicyConfig | undefined }[]): RouteFilters {
  // levels: most specific first
  const out: RouteFilters = { disabled: new Set(levels.flatMap((l) => l.perFilter.disabled)) };
  for (const l of levels) {
    out.fault ??= l.perFilter.fault;
    out.cors ??= l.perFilter.cors ?? l.cors;
    out.localRateLimit ??= l.perFilter.localRateLimit;
  }
  if (!out.fault) delete out.fault;
  if (!out.cors) delete out.cors;
  if (!out.localRateLimit) delete out.localRateLimit;
  return out;
}

class Route implements CompiledRoute {
  readonly name: string;
  readonly action: RouteActionConfig | undefined;
  readonly weighted: CompiledWeighted | undefined;
  readonly regexRewrite: { re: RE2JS; substitution: string } | undefined;
  readonly retryPolicy: RetryPolicyConfig | undefined;
  readonly headerOps: HeaderOps[];
  readonly filters: RouteFilters;
  readonly mirrors: MirrorPolicyConfig[];
  readonly attemptCountHeader: boolean;
  readonly attemptCountInResponse: boolean;
  private readonly path: PathTest;
  private readonly headers: HeaderPredicate | undefined;
  private readonly query: QueryPredicate | undefined;
  private readonly fraction: number | undefined;
  private readonly grpc: boolean;

  constructor(
    readonly entry: RouteEntryConfig,
    readonly vhost: CompiledVirtualHost,
    readonly table: CompiledRouteTable,
  ) {
    const m = entry.match;
    this.name = entry.name;
    this.path = compilePath(m.path, m.caseSensitive);
    this.headers = compileHeaderMatchers(m.headers);
    this.query = compileQueryMatchers(m.queryParameters);
    this.fraction = m.runtimeFraction;
    this.grpc = m.grpc;
    const vh = vhost.config;
    const rc = table.config;
    this.action = entry.action.kind === 'route' ? entry.action : undefined;
    const a = this.action;
    this.retryPolicy = a?.retryPolicy ?? vh.retryPolicy;
    this.headerOps = [entry.headers, vh.headers, rc.headers].filter((h) => h.requestAdd.length + h.requestRemove.length + h.responseAdd.length + h.responseRemove.length > 0);
    this.filters = effectiveFilters([{ perFilter: entry.perFilter, cors: a?.cors }, { perFilter: vh.perFilter, cors: vh.cors }, { perFilter: rc.perFilter }]);
    this.mirrors = [...(a?.mirrors ?? []), ...vh.mirrors, ...rc.mirrors];
    this.attemptCountHeader = vh.includeRequestAttemptCount;
    this.attemptCountInResponse = vh.includeAttemptCountInResponse;
    if (a?.regexRewrite) this.regexRewrite = { re: RE2().compile(a.regexRewrite.regex), substitution: a.regexRewrite.substitution.replace(/\\(\d)/g, '$$$1') };
    if (a?.cluster.kind === 'weighted') {
      const cumulative: number[] = [];
      let sum = 0;
      for (const c of a.cluster.clusters) cumulative.push((sum += c.weight));
      this.weighted = {
        names: a.cluster.clusters.map((c) => c.name),
        cumulative,
        total: sum,
        headers: a.cluster.clusters.map((c) => c.headers),
        filters: a.cluster.clusters.map((c) => effectiveFilters([{ perFilter: c.perFilter }, { perFilter: entry.perFilter, cors: a.cors }, { perFilter: vh.perFilter, cors: vh.cors }, { perFilter: rc.perFilter }])),
        hostRewrite: a.cluster.clusters.map((c) => c.hostRewrite),
      };
    }
  }

  match(input: MatchInput, pathNoQuery: string, rand: number): boolean {
    if (!this.path(input.path, pathNoQuery)) return false;
    if (this.grpc && !isGrpc(input.headers)) return false;
    if (this.headers !== undefined && !this.headers(input)) return false;
    if (this.query !== undefined && !this.query(input.path)) return false;
    if (this.fraction !== undefined && rand >= this.fraction) return false;
    return true;
  }
}

export function isGrpc(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'content-type') return headers[i + 1]!.startsWith('application/grpc');
  return false;
}

export class CompiledRouteTable {
  private readonly exact = new Map<string, CompiledVirtualHost>();
  private readonly suffixes: [string, CompiledVirtualHost][] = [];
  private readonly prefixes: [string, CompiledVirtualHost][] = [];
  private any: CompiledVirtualHost | undefined;

  constructor(readonly config: RouteConfig) {
    for (const vhc of config.virtualHosts) {
      const vh: { config: VirtualHostConfig; routes: CompiledRoute[] } = { config: vhc, routes: [] };
      vh.routes = vhc.routes.map((r) => new Route(r, vh, this));
      for (const d of vhc.domains) {
        if (d === '*') this.any ??= vh;
        else if (d.startsWith('*')) this.suffixes.push([d.slice(1), vh]);
        else if (d.endsWith('*')) this.prefixes.push([d.slice(0, -1), vh]);
        else if (!this.exact.has(d)) this.exact.set(d, vh);
      }
    }
    this.suffixes.sort((a, b) => b[0].length - a[0].length);
    this.prefixes.sort((a, b) => b[0].length - a[0].length);
  }

  get name(): string {
    return this.config.name;
  }

  selectVirtualHost(authority: string): CompiledVirtualHost | undefined {
    let host = authority;
    for (let i = 0; i < host.length; i++) {
      const c = host.charCodeAt(i);
      if (c >= 65 && c <= 90) {
        host = host.toLowerCase();
        break;
      }
    }
    if (this.config.ignorePortInHostMatching) host = stripPort(host);
    const exact = this.exact.get(host);
    if (exact !== undefined) return exact;
    for (const [suffix, vh] of this.suffixes) if (host.length > suffix.length && host.endsWith(suffix)) return vh;
    for (const [prefix, vh] of this.prefixes) if (host.length > prefix.length && host.startsWith(prefix)) return vh;
    return this.any;
  }

  /** The route for a request, or undefined (404, response flag NR). */
  match(input: MatchInput): CompiledRoute | undefined {
    const vh = this.selectVirtualHost(input.authority);
    if (vh === undefined) return undefined;
    const q = input.path.indexOf('?');
    const pathNoQuery = q < 0 ? input.path : input.path.slice(0, q);
    let rand = -1;
    for (const r of vh.routes) {
      // Draw the random number only for routes that use runtime_fraction.
      if (rand < 0 && r.entry.match.runtimeFraction !== undefined) rand = Math.random();
      if (r.match(input, pathNoQuery, rand)) return r;
    }
    return undefined;
  }
}

export function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}
