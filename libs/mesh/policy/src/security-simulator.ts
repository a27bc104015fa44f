// A connection (and optionally one HTTP request) through a generated
// listener, as far as security decides it: Envoy's filter chain selection
// (destination port, server names, transport protocol, ALPN), the mTLS
// handshake a DownstreamTlsContext demands, network RBAC, then jwt_authn and
// the HTTP RBAC filters in order. What the client observes: connection
// closed, 401 (jwt), 403 `RBAC: access denied`, or reaching the upstream.
// The reference the Sextant proxy is tested against; pure.
import { matchString, type DynamicMetadata } from './envoy-match';
import { evaluateJwtAuthn, type TestJwt } from './jwt-evaluator';
import { evaluateRbacFilter, withAccessLogHint, type RbacAttributes } from './rbac-evaluator';
import type { JwtAuthnConfig, RbacFilterConfig, StringMatcherObject } from './rbac-types';
import { SECURITY_TYPED } from './type-urls';

type EnvoyObject = Record<string, unknown>;

/** The parts of an Envoy Listener (protobufjs object form) the simulator reads. */
export interface FilterObject {
  name: string;
  typedConfig: EnvoyObject & { '@type': string };
}

export interface FilterChainObject {
  name?: string;
  filterChainMatch?: { destinationPort?: { value: number }; serverNames?: string[]; transportProtocol?: string; applicationProtocols?: string[] };
  filters: FilterObject[];
  transportSocket?: EnvoyObject;
}

export interface ListenerObject {
  name: string;
  filterChains?: FilterChainObject[];
  defaultFilterChain?: FilterChainObject;
}

const T = 'type.googleapis.com/envoy.extensions.';
const TYPED = {
  httpConnectionManager: `${T}filters.network.http_connection_manager.v3.HttpConnectionManager`,
  tcpProxy: `${T}filters.network.tcp_proxy.v3.TcpProxy`,
  router: `${T}filters.http.router.v3.Router`,
  downstreamTls: `${T}transport_sockets.tls.v3.DownstreamTlsContext`,
} as const;
const TCP_PROXY_NAME = 'envoy.filters.network.tcp_proxy';

/** Envoy's body for an RBAC denial (with status 403). */
export const RBAC_DENIED_BODY = 'RBAC: access denied';

export interface SecurityConnection {
  /** Destination port (the workload port for inbound). */
  port: number;
  /** mtls: a sidecar client with its mesh certificate; tls: TLS without client certificate (an app, or a gateway client); plaintext. */
  transport: 'mtls' | 'tls' | 'plaintext';
  /** URI SAN of the client certificate (mtls), e.g. spiffe://cluster.local/ns/default/sa/sleep. */
  peerPrincipal?: string;
  /** Whether the client certificate chains to the mesh roots (default true). */
  trustedPeer?: boolean;
  /** ALPN offered; default for mtls: what an Istio client sends for HTTP or TCP. */
  alpn?: readonly string[];
  sni?: string;
  sourceIp?: string;
  destinationIp?: string;
}

export interface SecurityRequest {
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
  jwt?: TestJwt;
}

export type SecurityStage = 'listener' | 'tls' | 'network-rbac' | 'jwt' | 'rbac' | 'upstream';

export interface SecurityOutcome {
  allowed: boolean;
  stage: SecurityStage;
  /** HTTP status the client gets: 401, 403, or 200 when the request reaches the upstream. */
  status?: number;
  body?: string;
  /** The connection is refused or reset (no chain, failed handshake, TCP RBAC denial). */
  closed?: boolean;
  chain?: string;
  /** The filter that decided a denial, and the RBAC policy that matched. */
  filter?: string;
  policy?: string;
  /** The verified peer identity the chain established. */
  peerPrincipal?: string;
  /** AUDIT (LOG) policies that matched. */
  logged: string[];
  /** Dry-run results: what each shadow rule set would have done. */
  shadow: { filter: string; allowed: boolean; policy?: string }[];
  metadata?: DynamicMetadata;
  reason: string;
}

const MTLS_HTTP_ALPN = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
const MTLS_TCP_ALPN = ['istio-peer-exchange', 'istio'];

function level<T>(chains: FilterChainObject[], get: (c: FilterChainObject) => T | undefined, matches: (v: T) => boolean): FilterChainObject[] {
  const specific = chains.filter((c) => {
    const v = get(c);
    return v !== undefined && matches(v);
  });
  return specific.length > 0 ? specific : chains.filter((c) => get(c) === undefined);
}

const nonEmpty = <T>(list: readonly T[] | undefined) => (list && list.length > 0 ? list : undefined);

function sniMatches(names: readonly string[], sni: string | undefined): boolean {
  if (!sni) return false;
  return names.some((n) => n === sni || (n.startsWith('*.') && sni.endsWith(n.slice(1))));
}

/** Envoy's filter chain match, in its order of criteria; undefined: no chain (the connection is closed). */
export function selectFilterChain(listener: ListenerObject, conn: SecurityConnection, http: boolean): FilterChainObject | undefined {
  const transport = conn.transport === 'plaintext' ? 'raw_buffer' : 'tls';
  const alpn = conn.alpn ?? (conn.transport === 'mtls' ? (http ? MTLS_HTTP_ALPN : MTLS_TCP_ALPN) : []);
  let c = listener.filterChains ?? [];
  c = level(c, (x) => x.filterChainMatch?.destinationPort?.value, (v) => v === conn.port);
  c = level(c, (x) => nonEmpty(x.filterChainMatch?.serverNames), (v) => sniMatches(v, conn.sni));
  c = level(c, (x) => x.filterChainMatch?.transportProtocol || undefined, (v) => v === transport);
  c = level(c, (x) => nonEmpty(x.filterChainMatch?.applicationProtocols), (v) => v.some((p) => alpn.includes(p)));
  return c[0] ?? listener.defaultFilterChain;
}

interface TlsContext {
  '@type': string;
  requireClientCertificate?: { value: boolean };
  commonTlsContext?: { combinedValidationContext?: { defaultValidationContext?: { matchSubjectAltNames?: StringMatcherObject[] } } };
}

/** The handshake a chain's transport socket demands; returns the verified peer, or a failure reason. */
function handshake(chain: FilterChainObject, conn: SecurityConnection): { ok: true; peer?: string } | { ok: false; reason: string } {
  const socket = chain.transportSocket as { typedConfig?: TlsContext } | undefined;
  const tls = socket?.typedConfig?.['@type'] === TYPED.downstreamTls ? socket.typedConfig : undefined;
  if (!tls) return { ok: true };
  if (conn.transport === 'plaintext') return { ok: false, reason: 'plaintext connection to a TLS chain' };
  const required = tls.requireClientCertificate?.value === true;
  if (conn.transport !== 'mtls') return required ? { ok: false, reason: 'client certificate required' } : { ok: true };
  if (conn.trustedPeer === false) return { ok: false, reason: 'client certificate not signed by the mesh roots' };
  const sans = tls.commonTlsContext?.combinedValidationContext?.defaultValidationContext?.matchSubjectAltNames ?? [];
  if (sans.length > 0 && !sans.some((m) => matchString(m, conn.peerPrincipal))) return { ok: false, reason: `peer ${conn.peerPrincipal ?? '(no URI SAN)'} outside the accepted trust domains` };
  return conn.peerPrincipal ? { ok: true, peer: conn.peerPrincipal } : { ok: true };
}

const typeOf = (f: FilterObject) => f.typedConfig['@type'];

function base(chain: FilterChainObject | undefined): Pick<SecurityOutcome, 'logged' | 'shadow' | 'chain'> {
  return { logged: [], shadow: [], ...(chain?.name ? { chain: chain.name } : {}) };
}

/** Runs one RBAC filter into `out`; returns false when it denies. */
function rbacStep(f: FilterObject, attrs: RbacAttributes, out: SecurityOutcome): boolean {
  const r = evaluateRbacFilter(f.typedConfig as unknown as RbacFilterConfig, attrs);
  if (r.logged) out.logged.push(r.logged);
  if (r.shadow) out.shadow.push({ filter: f.name, allowed: r.shadow.allowed, ...(r.shadow.matchedPolicy ? { policy: r.shadow.matchedPolicy } : {}) });
  if (r.matchedPolicy) out.policy = r.matchedPolicy;
  if (!r.allowed) out.filter = f.name;
  return r.allowed;
}

function runHttp(hcm: EnvoyObject, attrs: RbacAttributes, req: SecurityRequest, out: SecurityOutcome): SecurityOutcome {
  const method = req.method ?? 'GET';
  let headers: Record<string, string> = { ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])) };
  headers[':method'] = method;
  headers[':path'] = req.path ?? '/';
  headers[':authority'] = req.host ?? headers['host'] ?? 'localhost';
  if (!hcm['useRemoteAddress'] || !(hcm['useRemoteAddress'] as { value: boolean }).value) {
    const xff = headers['x-forwarded-for']?.split(',').map((s) => s.trim()).filter(Boolean);
    if (xff && xff.length > 0) attrs = { ...attrs, remoteIp: xff[xff.length - 1]! };
  }
  let metadata: DynamicMetadata = {};
  for (const f of (hcm['httpFilters'] as FilterObject[] | undefined) ?? []) {
    const t = typeOf(f);
    if (t === SECURITY_TYPED.jwtAuthn) {
      const r = evaluateJwtAuthn(f.typedConfig as unknown as JwtAuthnConfig, { method, headers, ...(req.jwt ? { jwt: req.jwt } : {}) });
      if (!r.ok) return { ...out, allowed: false, stage: 'jwt', status: 401, body: r.body, filter: f.name, reason: `jwt_authn: ${r.reason}` };
      metadata = { ...metadata, ...r.metadata };
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !r.removeHeaders.includes(k)));
      Object.assign(headers, r.addHeaders);
    } else if (t === SECURITY_TYPED.httpRbac) {
      const logged = out.logged.length;
      const allowed = rbacStep(f, { ...attrs, headers, metadata }, out);
      // A matching LOG (AUDIT) policy marks the request for the access log, as Envoy does.
      if (out.logged.length > logged) metadata = withAccessLogHint(metadata);
      if (!allowed) {
        return { ...out, allowed: false, stage: 'rbac', status: 403, body: RBAC_DENIED_BODY, metadata, reason: `${f.name} denied` };
      }
    } else if (t === TYPED.router) break;
  }
  return { ...out, allowed: true, stage: 'upstream', status: 200, metadata, reason: 'reached the router' };
}

/**
 * Simulates `conn` (and `request` on an HTTP chain) through `listener`.
 * A request on a TCP chain is ignored; an HTTP chain without a request
 * checks only the connection (a GET / is assumed).
 */
export function simulateSecurity(listener: ListenerObject, conn: SecurityConnection, request?: SecurityRequest): SecurityOutcome {
  const chain = selectFilterChain(listener, conn, request !== undefined);
  const out: SecurityOutcome = { allowed: false, stage: 'listener', ...base(chain), reason: '' };
  if (!chain) return { ...out, closed: true, reason: `no filter chain of ${listener.name} matches` };
  const hs = handshake(chain, conn);
  if (!hs.ok) return { ...out, stage: 'tls', closed: true, reason: hs.reason };
  if (hs.peer) out.peerPrincipal = hs.peer;
  const attrs: RbacAttributes = {
    destinationPort: conn.port,
    ...(conn.sourceIp ? { directRemoteIp: conn.sourceIp } : {}),
    ...(conn.destinationIp ? { destinationIp: conn.destinationIp } : {}),
    ...(conn.sni ? { requestedServerName: conn.sni } : {}),
    ...(hs.peer ? { peerPrincipal: hs.peer } : {}),
  };
  const opaqueTls = conn.transport !== 'plaintext' && !chain.transportSocket;
  for (const f of chain.filters) {
    const t = typeOf(f);
    if (t === SECURITY_TYPED.networkRbac) {
      if (!rbacStep(f, attrs, out)) return { ...out, allowed: false, stage: 'network-rbac', closed: true, reason: `${f.name} denied` };
    } else if (t === TYPED.tcpProxy || f.name === TCP_PROXY_NAME) {
      return { ...out, allowed: true, stage: 'upstream', reason: opaqueTls ? 'TLS passed through to the upstream' : 'proxied to the upstream' };
    } else if (t === TYPED.httpConnectionManager) {
      if (opaqueTls) return { ...out, closed: true, reason: 'TLS bytes on a plaintext HTTP chain' };
      return runHttp(f.typedConfig, attrs, request ?? {}, out);
    }
  }
  return { ...out, closed: true, reason: 'no terminal filter' };
}
