// What an HTTP request runs against: the active configuration snapshot
// (compiled route tables and cluster runtimes), the HTTP connection
// manager of its filter chain, facts about its connection, and the proxy's
// shared services (metrics, access log, identity).
import type { ConfigSnapshot, FaultConfig, HttpConnectionManagerConfig, ListenerConfig, LocalRateLimitConfig } from '@sextant/xds-client';
import type { AccessLogger } from './access-log';
import type { ClusterRuntime, DestinationService } from './cluster-runtime';
import type { Host } from './host';
import type { Http1Pool } from './http1-pool';
import type { Http2Pool } from './http2-pool';
import type { TlsContexts } from './tls-contexts';
import type { IstioMetrics } from './istio-metrics';
import type { PeerDecoder, PeerLabels } from './peer-metadata';
import type { CompiledRetryPolicy } from './retry-policy';
import { CompiledRouteTable } from './route-matcher';

/** One applied configuration: requests keep the one they started with. */
export interface ActiveConfig {
  readonly version: number;
  readonly snapshot: ConfigSnapshot;
  readonly routeTables: ReadonlyMap<string, CompiledRouteTable>;
  readonly clusters: ReadonlyMap<string, ClusterRuntime>;
  /** Listeners by port (for original-destination hand-off and the explicit proxy). */
  readonly listenersByPort: ReadonlyMap<number, ListenerConfig[]>;
}

export type Direction = 'inbound' | 'outbound';

export class HcmRuntime {
  readonly inline: CompiledRouteTable | undefined;
  readonly fault: FaultConfig | undefined;
  readonly hasFault: boolean;
  readonly hasCors: boolean;
  readonly rateLimit: LocalRateLimitConfig | undefined;
  readonly hasRateLimit: boolean;
  readonly upgrades: ReadonlySet<string>;
  readonly stats = { downstream_rq_total: 0, downstream_rq_active: 0, downstream_rq_1xx: 0, downstream_rq_2xx: 0, downstream_rq_3xx: 0, downstream_rq_4xx: 0, downstream_rq_5xx: 0, downstream_cx_total: 0, downstream_cx_active: 0 };

  constructor(
    readonly config: HttpConnectionManagerConfig,
    readonly direction: Direction,
    readonly listenerName: string,
  ) {
    this.inline = config.routes.kind === 'inline' ? new CompiledRouteTable(config.routes.config) : undefined;
    let fault: FaultConfig | undefined;
    let rl: LocalRateLimitConfig | undefined;
    let hasFault = false;
    let hasRl = false;
    let hasCors = false;
    for (const f of config.httpFilters) {
      if (f.kind === 'fault') {
        hasFault = true;
        fault = isEmptyFault(f.config) ? undefined : f.config;
      } else if (f.kind === 'local-ratelimit') {
        hasRl = true;
        rl = f.config.bucket ? f.config : undefined;
      } else if (f.kind === 'cors') hasCors = true;
    }
    this.fault = fault;
    this.hasFault = hasFault;
    this.rateLimit = rl;
    this.hasRateLimit = hasRl;
    this.hasCors = hasCors;
    this.upgrades = new Set(config.upgrades);
  }

  routeTable(active: ActiveConfig): CompiledRouteTable | undefined {
    if (this.inline) return this.inline;
    const r = this.config.routes;
    return r.kind === 'rds' ? active.routeTables.get(r.name) : undefined;
  }

  countStatus(status: number): void {
    const s = this.stats;
    if (status < 200) s.downstream_rq_1xx++;
    else if (status < 300) s.downstream_rq_2xx++;
    else if (status < 400) s.downstream_rq_3xx++;
    else if (status < 500) s.downstream_rq_4xx++;
    else s.downstream_rq_5xx++;
  }
}

function isEmptyFault(f: FaultConfig): boolean {
  return !f.delay && !f.abort;
}

/** Facts about the downstream connection a request arrived on. */
export interface ConnInfo {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  listenerName: string;
  /** Where the client meant to connect (transparent capture, or the explicit proxy's target). */
  originalDst: { address: string; port: number } | undefined;
  serverName: string;
  /** The verified client certificate's URI SAN (set by TLS termination with `peerPrincipal(socket)`); undefined on plaintext. */
  peerPrincipal?: string;
  /** X-Forwarded-Client-Cert set on requests of this mTLS connection (By=<own spiffe>;Hash=<sha256 of peer cert>;URI=<peer spiffe>); undefined: any inbound XFCC is removed. */
  xfcc?: string;
  /** The proxy terminated TLS on this connection (x-forwarded-proto https). */
  secure?: boolean;
}

export interface ProxyOptionsView {
  /** Request bodies up to this size are kept for retries and mirrors. */
  retryBufferLimit: number;
  defaultRetry: CompiledRetryPolicy;
  exchangePeerMetadata: boolean;
  trustDomain: string;
}

/** The proxy-wide services a request uses. */
export interface ProxyServices {
  active(): ActiveConfig;
  readonly metrics: IstioMetrics;
  readonly accessLog: AccessLogger;
  readonly self: PeerLabels;
  readonly selfService: DestinationService | undefined;
  readonly peerHeaders: { id: string; metadata: string } | undefined;
  readonly peers: PeerDecoder;
  readonly options: ProxyOptionsView;
  readonly draining: boolean;
  /** TLS contexts for origination (TCP proxy, pools); absent: no TLS. */
  readonly tls?: TlsContexts;
  poolFor(cluster: ClusterRuntime, host: Host, protocol: 'http1' | 'http2'): Http1Pool | Http2Pool;
}
