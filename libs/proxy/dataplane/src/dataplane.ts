// The data plane: applies configuration snapshots (compile, then swap one
// reference, so a request keeps the configuration it started with), owns
// listeners and clusters, and drains on shutdown.
import type { ConfigSnapshot, ListenerConfig, RouteConfig } from '@sextant/xds-client';
import { silentLogger, type Logger } from '@sextant/util';
import { AccessLogger, type AccessLogMode } from './access-log';
import { ClusterManager } from './cluster-manager';
import type { DestinationService } from './cluster-runtime';
import { DataplaneError } from './errors';
import type { ActiveConfig, ProxyServices } from './http-context';
import { IstioMetrics } from './istio-metrics';
import { ListenerManager, type OriginalDstLookup } from './listener-manager';
import { encodeSelf, PeerDecoder, peerLabelsOf, type PeerLabels, type SelfDescription } from './peer-metadata';
import { poolFor } from './pools';
import { protocolFromPort, SERVER_FIRST_PORTS, type DeclaredPort } from './port-protocols';
import { COMPILED_DEFAULT, CompiledRetryPolicy } from './retry-policy';
import type { RetryBudgetOptions } from './retry-budget';
import { CompiledRouteTable } from './route-matcher';
import type { SecretProvider } from './secrets';
import { TlsContexts } from './tls-contexts';

export interface DataplaneOptions {
  mode: 'sidecar' | 'ingress' | 'egress';
  self: SelfDescription;
  /** The workload's address: sidecars bind here, and explicit inbound forwards here. */
  workloadAddress: string;
  /** Bind every listener on this host instead of the address in its config. */
  bindHost?: string;
  /** Configured port -> port actually bound (e.g. 15001 -> 25001 when ports clash locally). */
  portMap?: Record<number, number>;
  /** Sidecars: keep an explicit HTTP proxy on this (configured) port even before Pilot sends virtualOutbound. */
  explicitOutboundPort?: number;
  originalDst?: OriginalDstLookup;
  sniffTimeoutMs?: number;
  serverFirstPorts?: readonly number[];
  /** The application's ports (names like "http-web", "grpc", "tcp-db", "mysql"). */
  appPorts?: readonly DeclaredPort[];
  accessLog?: { logger?: Logger; mode?: AccessLogMode };
  logger?: Logger;
  retryBufferLimit?: number;
  retryBudget?: RetryBudgetOptions;
  exchangePeerMetadata?: boolean;
  /** "safe": connect failures, refused streams, resets of idempotent requests (default); "none": no retries without a route policy. */
  defaultRetries?: 'safe' | 'none';
  /** TLS material by SDS name (`default`, `ROOTCA`, ...), e.g. the proxy's workload certificate manager. */
  secrets?: SecretProvider;
  /** How long a downstream TLS handshake may take (default 10 s). */
  tlsHandshakeTimeoutMs?: number;
  /** Drain period of connections on filter chains a listener update changed or removed (default 45 s, Istio's drain duration). */
  filterChainDrainMs?: number;
}

const NO_RETRY = new CompiledRetryPolicy({ ...COMPILED_DEFAULT.config, retryOn: [], numRetries: 0 }, true);

export class Dataplane implements ProxyServices {
  readonly metrics = new IstioMetrics();
  readonly accessLog: AccessLogger;
  readonly self: PeerLabels;
  readonly selfService: DestinationService | undefined;
  readonly peerHeaders: { id: string; metadata: string } | undefined;
  readonly peers: PeerDecoder;
  readonly options: ProxyServices['options'];
  readonly clusters: ClusterManager;
  readonly listeners: ListenerManager;
  /** Secure contexts of TLS termination and origination. */
  readonly tls: TlsContexts;
  private readonly log: Logger;
  private current: ActiveConfig;
  private readonly compiled = new WeakMap<RouteConfig, CompiledRouteTable>();
  private drainingFlag = false;
  private applying: Promise<void> = Promise.resolve();
  readonly startedAt = Date.now();

  constructor(private readonly opts: DataplaneOptions) {
    this.log = (opts.logger ?? silentLogger()).child({ scope: 'dataplane' });
    this.accessLog = new AccessLogger(opts.accessLog?.logger, opts.accessLog?.mode ?? 'config');
    this.self = peerLabelsOf(opts.self);
    const svc = opts.self.labels['app'] ?? opts.self.labels['service.istio.io/canonical-name'];
    this.selfService = opts.mode === 'sidecar' && svc ? { host: `${svc}.${opts.self.namespace}.svc.cluster.local`, name: svc, namespace: opts.self.namespace } : undefined;
    this.peerHeaders = (opts.exchangePeerMetadata ?? true) ? encodeSelf(opts.self) : undefined;
    this.peers = new PeerDecoder(opts.self.trustDomain);
    this.options = {
      retryBufferLimit: opts.retryBufferLimit ?? 1024 * 1024,
      defaultRetry: opts.defaultRetries === 'none' ? NO_RETRY : COMPILED_DEFAULT,
      exchangePeerMetadata: opts.exchangePeerMetadata ?? true,
      trustDomain: opts.self.trustDomain,
    };
    this.clusters = new ClusterManager(opts.retryBudget);
    const self = opts.self;
    this.tls = new TlsContexts(opts.secrets, () => this.current.snapshot.secrets, `spiffe://${self.trustDomain}/ns/${self.namespace}/sa/${self.serviceAccount}`);
    this.poolDefaults.tls = this.tls;
    const declared = new Map<number, 'http' | 'http2' | 'tcp'>();
    for (const p of opts.appPorts ?? []) {
      const proto = protocolFromPort(p);
      if (proto) declared.set(p.port, proto);
    }
    this.listeners = new ListenerManager(this, {
      bindAddress: (l) => this.bindAddress(l),
      originalDst: opts.originalDst ?? (() => undefined),
      sniffTimeoutMs: opts.sniffTimeoutMs ?? 1_000,
      serverFirstPorts: new Set(opts.serverFirstPorts ?? SERVER_FIRST_PORTS),
      declaredProtocols: declared,
      workloadAddress: opts.workloadAddress,
      tls: this.tls,
      handshakeTimeoutMs: opts.tlsHandshakeTimeoutMs ?? 10_000,
      ...(opts.filterChainDrainMs !== undefined ? { filterChainDrainMs: opts.filterChainDrainMs } : {}),
      log: this.log,
    });
    this.current = { version: 0, snapshot: { version: 0, listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map(), secrets: new Map() }, routeTables: new Map(), clusters: new Map(), listenersByPort: new Map() };
  }

  get draining(): boolean {
    return this.drainingFlag;
  }

  active(): ActiveConfig {
    return this.current;
  }

  poolFor: ProxyServices['poolFor'] = (cluster, host, protocol) => poolFor(cluster, host, protocol, this.poolDefaults);
  private readonly poolDefaults = { tls: undefined as TlsContexts | undefined };

  private bindAddress(l: ListenerConfig): { host: string; port: number } | undefined {
    if (!l.bindToPort) return undefined;
    const port = this.opts.portMap?.[l.address.port] ?? l.address.port;
    return { host: this.opts.bindHost ?? l.address.host, port };
  }

  /** Applies a snapshot: compiled first, swapped in one assignment, then listeners (re)bound. */
  apply(snapshot: ConfigSnapshot): Promise<void> {
    const run = async () => {
      if (this.drainingFlag) return;
      const routeTables = new Map<string, CompiledRouteTable>();
      for (const [name, rc] of snapshot.routes) {
        let t = this.compiled.get(rc);
        if (!t) {
          t = new CompiledRouteTable(rc);
          this.compiled.set(rc, t);
        }
        routeTables.set(name, t);
      }
      const listeners = new Map(snapshot.listeners);
      const port = this.opts.explicitOutboundPort;
      if (port !== undefined && ![...listeners.values()].some((l) => l.useOriginalDst && l.direction !== 'INBOUND' && l.name !== 'virtualInbound')) {
        listeners.set('virtualOutbound', explicitOutboundListener(port));
      }
      const listenersByPort = new Map<number, ListenerConfig[]>();
      for (const l of listeners.values()) {
        const list = listenersByPort.get(l.address.port);
        if (list) list.push(l);
        else listenersByPort.set(l.address.port, [l]);
      }
      if (snapshot.secrets !== this.current.snapshot.secrets && (snapshot.secrets.size > 0 || this.current.snapshot.secrets.size > 0)) this.tls.secretsChanged();
      const clusters = this.clusters.apply(snapshot);
      const withListeners = listeners === snapshot.listeners ? snapshot : { ...snapshot, listeners };
      this.current = { version: snapshot.version, snapshot: withListeners, routeTables, clusters, listenersByPort };
      await this.listeners.apply(this.current);
      this.log.debug({ version: snapshot.version }, 'configuration applied');
    };
    this.applying = this.applying.then(run, run);
    return this.applying;
  }

  /**
   * Drain: stop accepting, let open requests finish (keep-alive connections
   * close after their current response, HTTP/2 sessions get GOAWAY), then
   * close what is left once the timeout passes.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.drainingFlag = true;
    this.listeners.stopAccepting();
    this.listeners.drainConnections();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (this.inFlight() > 0 || this.listeners.openConnections() > 0)) {
      await new Promise((r) => setTimeout(r, 25));
      this.listeners.drainConnections();
    }
    this.close();
  }

  /** Requests in flight across every connection manager. */
  inFlight(): number {
    let n = 0;
    for (const c of this.current.clusters.values()) n += c.activeRequests;
    for (const h1 of this.listeners.http1) if (!h1.idle) n++;
    return n;
  }

  close(): void {
    this.drainingFlag = true;
    this.listeners.closeAll();
    this.clusters.close();
    this.tls.close();
    this.accessLog.flush();
  }

  async stopAccepting(): Promise<void> {
    this.listeners.stopAccepting();
  }

  /** Bound listener addresses by listener name. */
  addresses(): Record<string, string> {
    return this.listeners.addresses();
  }

  assertOpen(): void {
    if (this.drainingFlag) throw new DataplaneError('DATAPLANE_CLOSED', 'the data plane is draining or stopped');
  }
}

function explicitOutboundListener(port: number): ListenerConfig {
  return {
    name: 'virtualOutbound',
    address: { host: '0.0.0.0', port },
    bindToPort: true,
    useOriginalDst: true,
    direction: 'OUTBOUND',
    filterChains: [],
    listenerFilters: [],
    listenerFiltersTimeoutMs: 0,
    continueOnListenerFiltersTimeout: true,
    accessLog: false,
  };
}
