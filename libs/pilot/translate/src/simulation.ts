// A request simulator over generated config (after Istio's
// pilot/pkg/simulation): picks the listener and filter chain a connection
// lands on, the virtual host and route an HTTP request matches (Envoy's
// domain and route matching rules), and reports what a user would observe:
// the cluster or weighted clusters, redirect, direct response, rewrite,
// fault, timeout, retries, mirrors. For tests and debugging; not Envoy.
import type {
  EnvoyObject,
  FilterChainObject,
  HeaderMatcherObject,
  ListenerObject,
  ProxyConfig,
  RouteConfigurationObject,
  RouteObject,
  StringMatcherObject,
  VirtualHostObject,
} from './envoy-types';
import { parseClusterName } from './names';

export interface SimRequest {
  /** Destination port (the listener port for gateways and sidecars). */
  port: number;
  /** Destination IP; selects `<vip>_<port>` listeners. Default: none (0.0.0.0 listeners). */
  address?: string;
  /** Host / :authority header (HTTP), listener name authority for proxyless. */
  host?: string;
  /** Path with optional query, default `/`. */
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** `http` (default), `tcp`, or `tls` (with sni). */
  protocol?: 'http' | 'tcp' | 'tls';
  sni?: string;
  /** For proxyless: the xDS target authority `host:port`. */
  grpcTarget?: string;
  /** The request arrived over TLS (gateway https servers). */
  tls?: boolean;
}

export interface SimResult {
  listener?: string;
  filterChain?: string;
  routeConfig?: string;
  virtualHost?: string;
  route?: string;
  /** The single destination cluster, if not weighted. */
  cluster?: string;
  /** Weighted destinations (percent of the total). */
  weighted?: { cluster: string; weight: number; percent: number }[];
  subset?: string;
  host?: string;
  redirect?: EnvoyObject;
  directResponse?: { status: number; body?: EnvoyObject };
  prefixRewrite?: string;
  regexRewrite?: { regex: string; substitution: string };
  hostRewrite?: string;
  timeoutMs?: number;
  retry?: { attempts: number; retryOn: string; perTryTimeoutMs?: number; retriableStatusCodes?: number[] };
  fault?: { delayMs?: number; delayPercent?: number; abortHttpStatus?: number; abortGrpcStatus?: number; abortPercent?: number };
  mirrors?: { cluster: string; percent: number }[];
  cors?: EnvoyObject;
  requestHeadersToAdd?: Record<string, string>;
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: Record<string, string>;
  hashPolicy?: EnvoyObject[];
  /** What went wrong, as Envoy would tell the client: no listener, no filter chain, 404 (no route). */
  error?: 'no-listener' | 'no-filter-chain' | 'no-route' | 'no-virtual-host';
}

const durMs = (d: unknown) => {
  const x = d as { seconds?: string; nanos?: number } | undefined;
  return x ? Number(x.seconds ?? 0) * 1000 + (x.nanos ?? 0) / 1e6 : undefined;
};
const pct = (f: unknown) => {
  const x = f as { numerator?: number; denominator?: string } | undefined;
  if (!x) return 0;
  const d = x.denominator === 'MILLION' ? 10_000 : x.denominator === 'TEN_THOUSAND' ? 100 : 1;
  return (x.numerator ?? 0) / d;
};
const full = (re: string) => new RegExp(`^(?:${re})$`);

function stringMatches(m: StringMatcherObject, v: string): boolean {
  const value = m.ignoreCase ? v.toLowerCase() : v;
  const lc = (s: string) => (m.ignoreCase ? s.toLowerCase() : s);
  if (m.exact !== undefined) return value === lc(m.exact);
  if (m.prefix !== undefined) return value.startsWith(lc(m.prefix));
  if (m.suffix !== undefined) return value.endsWith(lc(m.suffix));
  if (m.contains !== undefined) return value.includes(lc(m.contains));
  if (m.safeRegex) return full(m.safeRegex.regex).test(v);
  return false;
}

function headerMatches(h: HeaderMatcherObject, headers: Record<string, string>): boolean {
  let v = headers[h.name.toLowerCase()];
  if (v === undefined && h.treatMissingHeaderAsEmpty) v = '';
  let ok: boolean;
  if (h.presentMatch) ok = v !== undefined;
  else ok = v !== undefined && h.stringMatch !== undefined && stringMatches(h.stringMatch, v);
  return h.invertMatch ? !ok : ok;
}

export function routeMatches(r: RouteObject, path: string, headers: Record<string, string>): boolean {
  const m = r.match;
  const [p, q = ''] = path.split('?', 2) as [string, string?];
  const cs = m.caseSensitive?.value !== false;
  const cmp = (s: string) => (cs ? s : s.toLowerCase());
  if (m.prefix !== undefined && !cmp(p).startsWith(cmp(m.prefix))) return false;
  if (m.path !== undefined && cmp(p) !== cmp(m.path)) return false;
  if (m.safeRegex && !full(m.safeRegex.regex).test(p)) return false;
  for (const h of m.headers ?? []) if (!headerMatches(h, headers)) return false;
  const query = new URLSearchParams(q);
  for (const qp of m.queryParameters ?? []) {
    const v = query.get(qp.name);
    if (qp.presentMatch ? v === null : v === null || !qp.stringMatch || !stringMatches(qp.stringMatch, v)) return false;
  }
  return true;
}

/** Envoy's virtual host selection: exact, then longest `*.suffix`, then longest `prefix*`, then `*`. */
export function selectVirtualHost(rc: RouteConfigurationObject, host: string): VirtualHostObject | undefined {
  const h = ((rc['ignorePortInHostMatching'] as boolean | undefined) ? host.replace(/:\d+$/, '') : host).toLowerCase();
  let best: { vh: VirtualHostObject; rank: number; len: number } | undefined;
  for (const vh of rc.virtualHosts) {
    for (const d of vh.domains.map((x) => x.toLowerCase())) {
      let rank = -1;
      if (d === h) rank = 3;
      else if (d === '*') rank = 0;
      else if (d.startsWith('*') && h.endsWith(d.slice(1)) && h.length > d.length - 1) rank = 2;
      else if (d.endsWith('*') && h.startsWith(d.slice(0, -1)) && h.length > d.length - 1) rank = 1;
      if (rank < 0) continue;
      if (!best || rank > best.rank || (rank === best.rank && d.length > best.len)) best = { vh, rank, len: d.length };
    }
  }
  return best?.vh;
}

function chainMatches(c: FilterChainObject, req: SimRequest): number {
  const m = c.filterChainMatch;
  if (!m) return 0;
  let score = 1;
  if (m.destinationPort && m.destinationPort.value !== req.port) return -1;
  if (m.destinationPort) score += 4;
  if (m.serverNames?.length) {
    const sni = (req.sni ?? '').toLowerCase();
    const hit = m.serverNames.some((s) => s === sni || (s.startsWith('*.') && sni.endsWith(s.slice(1))));
    if (!hit) return -1;
    score += 2;
  }
  return score;
}

function pickListener(config: ProxyConfig, req: SimRequest): ListenerObject | undefined {
  if (req.grpcTarget) return config.listeners.find((l) => l.name === req.grpcTarget);
  const byAddr = (a: string) => config.listeners.find((l) => l.address?.socketAddress.address === a && l.address.socketAddress.portValue === req.port);
  return (req.address ? byAddr(req.address) : undefined) ?? byAddr('0.0.0.0') ?? (config.listeners.some((l) => l.useOriginalDst?.value) ? config.listeners.find((l) => l.name === 'virtualOutbound') : undefined);
}

function tcpTargets(cfg: EnvoyObject, out: SimResult): SimResult {
  if (typeof cfg['cluster'] === 'string') out.cluster = cfg['cluster'];
  const wc = cfg['weightedClusters'] as { clusters: { name: string; weight: number }[] } | undefined;
  if (wc) {
    const total = wc.clusters.reduce((n, c) => n + c.weight, 0);
    out.weighted = wc.clusters.map((c) => ({ cluster: c.name, weight: c.weight, percent: (100 * c.weight) / total }));
  }
  return out;
}

function headerMap(list: { header: { key: string; value: string } }[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  return Object.fromEntries(list.map((h) => [h.header.key, h.header.value]));
}

function describeRoute(route: RouteObject, out: SimResult): SimResult {
  if (route.name) out.route = route.name;
  if (route.redirect) out.redirect = route.redirect;
  if (route.directResponse) out.directResponse = route.directResponse;
  const a = route.route;
  if (a) {
    tcpTargets({ cluster: a.cluster, weightedClusters: a.weightedClusters ? { clusters: a.weightedClusters.clusters.map((c) => ({ name: c.name, weight: c.weight.value })) } : undefined }, out);
    if (a.prefixRewrite !== undefined) out.prefixRewrite = a.prefixRewrite;
    if (a.regexRewrite) out.regexRewrite = { regex: a.regexRewrite.pattern.regex, substitution: a.regexRewrite.substitution };
    if (a.hostRewriteLiteral) out.hostRewrite = a.hostRewriteLiteral;
    const t = durMs(a.timeout) ?? durMs((a.maxStreamDuration as EnvoyObject | undefined)?.['maxStreamDuration']);
    if (t !== undefined) out.timeoutMs = t;
    if (a.retryPolicy) {
      const rp = a.retryPolicy;
      out.retry = { attempts: rp.numRetries.value, retryOn: rp.retryOn, ...(rp.perTryTimeout ? { perTryTimeoutMs: durMs(rp.perTryTimeout)! } : {}), ...(rp.retriableStatusCodes ? { retriableStatusCodes: rp.retriableStatusCodes } : {}) };
    }
    if (a.requestMirrorPolicies) out.mirrors = a.requestMirrorPolicies.map((m) => ({ cluster: m.cluster, percent: pct(m.runtimeFraction.defaultValue) }));
    if (a.hashPolicy) out.hashPolicy = a.hashPolicy;
  }
  const fault = route.typedPerFilterConfig?.['envoy.filters.http.fault'];
  if (fault) {
    const d = fault['delay'] as EnvoyObject | undefined;
    const ab = fault['abort'] as EnvoyObject | undefined;
    out.fault = {
      ...(d ? { delayMs: durMs(d['fixedDelay'])!, delayPercent: pct(d['percentage']) } : {}),
      ...(ab ? { abortPercent: pct(ab['percentage']), ...(ab['httpStatus'] !== undefined ? { abortHttpStatus: ab['httpStatus'] as number } : { abortGrpcStatus: ab['grpcStatus'] as number }) } : {}),
    };
  }
  const cors = route.typedPerFilterConfig?.['envoy.filters.http.cors'];
  if (cors) out.cors = cors;
  const add = headerMap(route.requestHeadersToAdd);
  if (add) out.requestHeadersToAdd = add;
  if (route.requestHeadersToRemove) out.requestHeadersToRemove = route.requestHeadersToRemove;
  const respAdd = headerMap(route.responseHeadersToAdd);
  if (respAdd) out.responseHeadersToAdd = respAdd;
  const c = out.cluster ? parseClusterName(out.cluster) : undefined;
  if (c) {
    out.host = c.host;
    if (c.subset) out.subset = c.subset;
  }
  return out;
}

/** Runs one request through a proxy's config. */
export function simulate(config: ProxyConfig, req: SimRequest): SimResult {
  const out: SimResult = {};
  const listener = pickListener(config, req);
  if (!listener) return { error: 'no-listener' };
  out.listener = listener.name;
  let hcm: EnvoyObject | undefined = listener.apiListener?.apiListener;
  if (!hcm) {
    const sniReq = { ...req, sni: req.sni ?? (req.protocol === 'tls' ? req.host : undefined) };
    const chains = (listener.filterChains ?? []).map((c) => ({ c, s: chainMatches(c, sniReq) })).filter((x) => x.s >= 0).sort((a, b) => b.s - a.s);
    const chain = chains[0]?.c ?? listener.defaultFilterChain;
    if (!chain) return { ...out, error: 'no-filter-chain' };
    if (chain.name) out.filterChain = chain.name;
    const terminal = chain.filters[chain.filters.length - 1]!;
    if (terminal.name === 'envoy.filters.network.tcp_proxy') return tcpTargets(terminal.typedConfig, out);
    hcm = terminal.typedConfig;
  }
  const rdsName = (hcm['rds'] as { routeConfigName?: string } | undefined)?.routeConfigName;
  const rc = rdsName !== undefined ? config.routes.find((r) => r.name === rdsName) : (hcm['routeConfig'] as RouteConfigurationObject | undefined);
  if (!rc) return { ...out, error: 'no-route' };
  out.routeConfig = rc.name;
  const host = req.host ?? req.grpcTarget ?? '';
  const vh = selectVirtualHost(rc, host);
  if (!vh) return { ...out, error: 'no-virtual-host' };
  out.virtualHost = vh.name;
  if (vh.requireTls === 'ALL' && !req.tls) return { ...out, redirect: { schemeRedirect: 'https', responseCode: 'MOVED_PERMANENTLY' } };
  const headers: Record<string, string> = { ':method': req.method ?? 'GET', ':authority': host, ':path': req.path ?? '/', ':scheme': req.tls ? 'https' : 'http' };
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  const route = vh.routes.find((r) => routeMatches(r, req.path ?? '/', headers));
  if (!route) return { ...out, error: 'no-route' };
  return describeRoute(route, out);
}

/** Picks a weighted cluster for a random number in [0, 1) (for distribution checks). */
export function pickWeighted(result: SimResult, random: number): string | undefined {
  if (result.cluster) return result.cluster;
  let acc = 0;
  for (const w of result.weighted ?? []) {
    acc += w.percent / 100;
    if (random < acc) return w.cluster;
  }
  return result.weighted?.at(-1)?.cluster;
}
