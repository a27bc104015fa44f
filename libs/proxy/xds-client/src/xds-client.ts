// The proxy's xDS client: one ADS stream to Pilot (delta preferred, SotW as
// fallback or by choice), resource state with warming, reconnects with
// exponential backoff and full jitter, and readiness once the first
// listeners and clusters were ACKed.
import * as grpc from '@grpc/grpc-js';
import type { Node } from '@sextant/proto';
import { adsClientConstructor } from './ads-client';
import { silentLogger, type Logger } from '@sextant/util';
import type { ConfigSnapshot } from './config-snapshot';
import { DeltaStream } from './delta-stream';
import { XdsClientError } from './errors';
import { buildNode, type ProxyIdentity } from './node-identity';
import { ResourceState } from './resource-state';
import { KIND_ORDER, RESOURCE_TYPES, type ResourceKind } from './resource-types';
import { SotwStream } from './sotw-stream';
import type { AdsStream, ResourceUpdate, StreamHost, Subscription } from './stream-host';
import { XDS_TLS_SERVER_NAME, xdsChannelCredentials, type XdsTlsOptions } from './xds-tls';

/** SDS secrets the proxy's own certificate manager serves (istio-agent's local SDS); other names come from Pilot. */
const LOCAL_SECRETS: ReadonlySet<string> = new Set(['default', 'ROOTCA']);

export type XdsProtocol = 'auto' | 'delta' | 'sotw';

export interface XdsClientOptions {
  /** Pilot's xDS address, host:port. */
  address: string;
  identity: ProxyIdentity;
  /** auto: delta, falling back to SotW when Pilot does not implement delta. */
  protocol?: XdsProtocol;
  /** How long a new cluster/route/listener may wait for what it needs before going in anyway (default 5 s). */
  warmTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** xDS over TLS (Pilot's 15012): the workload certificate to present and Pilot's identity; plaintext when absent. */
  tls?: XdsTlsOptions;
  logger?: Logger;
  now?: () => number;
  random?: () => number;
}

export interface TypeStatus {
  version: string;
  nonce: string;
  acks: number;
  nacks: number;
  lastNack?: { message: string; nonce: string; at: string };
  resources: number;
}

export interface XdsClientStatus {
  address: string;
  /** tls: mTLS to Pilot (the SPIFFE ID Pilot must have); plaintext otherwise. */
  transport: 'tls' | 'plaintext';
  pilotIdentity?: string;
  connected: boolean;
  protocol: 'delta' | 'sotw' | 'none';
  ready: boolean;
  reconnects: number;
  lastError?: string;
  snapshotVersion: number;
  types: Record<string, TypeStatus>;
  warming: { type: string; name: string }[];
}

type SnapshotListener = (s: ConfigSnapshot) => void;
/** Types subscribed by name (VHDS hosts: by route configuration name, a namespace). */
type ByName = 'route' | 'vhost' | 'endpoint' | 'secret';
/** Node metadata asking Pilot for route tables by VHDS (Delta streams only; Pilot ignores it on SotW). */
const VHDS_METADATA_KEY = 'SEXTANT_VHDS';
type AckListener = (e: { kind: ResourceKind; version: string; nonce: string; error?: string }) => void;

export class XdsClient {
  readonly node: Node;
  readonly state: ResourceState;
  private readonly log: Logger;
  private readonly opts: Required<Pick<XdsClientOptions, 'protocol' | 'warmTimeoutMs' | 'backoff'>> & XdsClientOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private client: grpc.Client | undefined;
  /** The client certificate chain and roots the current channel uses (TLS). */
  private clientMaterial: string | undefined;
  private stream: AdsStream | undefined;
  private useSotw: boolean;
  private closed = false;
  private started = false;
  private connected = false;
  private attempt = 0;
  private reconnects = 0;
  private lastError: string | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private warmTimer: NodeJS.Timeout | undefined;
  private readonly acked = new Set<ResourceKind>();
  private isReady = false;
  private readyWaiters: (() => void)[] = [];
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly ackListeners = new Set<AckListener>();
  private readonly typeStatus = new Map<ResourceKind, TypeStatus>();
  private wanted: Record<ByName, Set<string>> = { route: new Set(), vhost: new Set(), endpoint: new Set(), secret: new Set() };

  constructor(opts: XdsClientOptions) {
    if (!/^[^:]+:\d+$|^\[.+\]:\d+$/.test(opts.address)) throw new XdsClientError('XDS_BAD_ADDRESS', `Pilot address "${opts.address}" is not host:port`);
    this.opts = { protocol: 'auto', warmTimeoutMs: 5_000, backoff: { initialMs: 500, maxMs: 30_000 }, ...opts };
    this.log = (opts.logger ?? silentLogger()).child({ scope: 'xds' });
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.node = buildNode(opts.identity);
    if (this.opts.protocol !== 'sotw' && this.node.metadata?.fields) this.node.metadata.fields[VHDS_METADATA_KEY] = { stringValue: 'true' };
    this.state = new ResourceState(this.log, this.now, this.opts.warmTimeoutMs);
    this.useSotw = this.opts.protocol === 'sotw';
    for (const k of KIND_ORDER) this.typeStatus.set(k, { version: '', nonce: '', acks: 0, nacks: 0, resources: 0 });
  }

  get snapshot(): ConfigSnapshot {
    return this.state.snapshot;
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves once the first listeners and clusters were ACKed and warmed. */
  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (this.closed) return Promise.reject(new XdsClientError('XDS_CLIENT_CLOSED', 'xDS client closed before it was ready'));
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  onSnapshot(fn: SnapshotListener): () => void {
    this.snapshotListeners.add(fn);
    return () => this.snapshotListeners.delete(fn);
  }

  onAck(fn: AckListener): () => void {
    this.ackListeners.add(fn);
    return () => this.ackListeners.delete(fn);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.openStream();
  }

  /**
   * The channel for the next stream. Over TLS a new channel is made when the
   * workload certificate or the roots changed since the current one was, so a rotated
   * certificate is presented from the next reconnect on. Returns false while
   * there is no certificate yet.
   */
  private channel(): boolean {
    const tls = this.opts.tls;
    const material = tls?.credentials();
    if (tls && !material) return false;
    const key = material && `${material.certChainPem}\n${material.rootsPem}`;
    if (this.client && key === this.clientMaterial) return true;
    this.client?.close();
    const Ctor = adsClientConstructor();
    this.client = new Ctor(this.opts.address, material && tls ? xdsChannelCredentials(material, tls.serverIdentity) : grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': this.opts.backoff.initialMs,
      'grpc.max_reconnect_backoff_ms': this.opts.backoff.maxMs,
      ...(material ? { 'grpc.ssl_target_name_override': XDS_TLS_SERVER_NAME } : {}),
    });
    if (material && this.clientMaterial !== undefined) this.log.info({ address: this.opts.address }, 'xDS over TLS: new channel with the rotated workload certificate or roots');
    this.clientMaterial = key;
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.warmTimer);
    this.stream?.close();
    this.stream = undefined;
    this.client?.close();
    this.client = undefined;
  }

  status(): XdsClientStatus {
    const types: Record<string, TypeStatus> = {};
    for (const k of KIND_ORDER) types[RESOURCE_TYPES[k].short] = { ...this.typeStatus.get(k)!, resources: this.state.accepted[k].size };
    return {
      address: this.opts.address,
      transport: this.opts.tls ? 'tls' : 'plaintext',
      ...(this.opts.tls ? { pilotIdentity: this.opts.tls.serverIdentity } : {}),
      connected: this.connected,
      protocol: this.stream?.protocol ?? 'none',
      ready: this.isReady,
      reconnects: this.reconnects,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      snapshotVersion: this.state.snapshot.version,
      types,
      warming: this.state.warming.map((w) => ({ type: RESOURCE_TYPES[w.kind].short, name: w.name })),
    };
  }

  private openStream(): void {
    if (this.closed || !this.started) return;
    if (!this.channel()) {
      this.lastError = 'xDS over TLS: waiting for the workload certificate';
      this.scheduleReconnect();
      return;
    }
    if (!this.client) return;
    const protocol = this.useSotw ? 'sotw' : 'delta';
    const client = this.client as unknown as Record<string, () => grpc.ClientDuplexStream<object, object>>;
    const call = protocol === 'delta' ? client['DeltaAggregatedResources']!.call(this.client) : client['StreamAggregatedResources']!.call(this.client);
    const host = this.streamHost();
    const stream: AdsStream = protocol === 'delta' ? new DeltaStream(call as never, host) : new SotwStream(call as never, host, this.state.typeVersions);
    this.stream = stream;
    let ended = false;
    const onEnd = (err?: grpc.ServiceError) => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = undefined;
      this.connected = false;
      if (this.closed) return;
      this.lastError = err ? `${grpc.status[err.code] ?? err.code}: ${err.details || err.message}` : 'stream ended by server';
      if (protocol === 'delta' && this.opts.protocol === 'auto' && err?.code === grpc.status.UNIMPLEMENTED) {
        this.log.info('Pilot does not implement delta ADS; using state of the world');
        this.useSotw = true;
        this.openStream();
        return;
      }
      this.scheduleReconnect();
    };
    call.on('error', (err: grpc.ServiceError) => onEnd(err));
    call.on('end', () => onEnd());
    call.on('metadata', () => {
      this.connected = true;
    });
    this.log.debug({ address: this.opts.address, protocol }, 'opening ADS stream');
    stream.start();
  }

  private scheduleReconnect(): void {
    const { initialMs, maxMs } = this.opts.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 20));
    // Full jitter, but never less than a tenth of the ceiling (no hot loop).
    const delay = Math.round(ceiling * (0.1 + 0.9 * this.random()));
    this.attempt += 1;
    this.reconnects += 1;
    this.log.warn({ error: this.lastError, retryInMs: delay }, 'ADS stream to Pilot lost; reconnecting');
    this.reconnectTimer = setTimeout(() => this.openStream(), delay);
    this.reconnectTimer.unref?.();
  }

  private streamHost(): StreamHost {
    return {
      node: this.node,
      log: this.log,
      subscription: (kind) => this.subscription(kind),
      knownVersions: (kind) => Object.fromEntries([...this.state.accepted[kind]].map(([n, r]) => [n, r.version])),
      apply: (kind, update) => this.apply(kind, update),
      onResponse: () => {
        this.connected = true;
        this.attempt = 0;
      },
      onAck: (kind, ack) => this.recordAck(kind, ack),
    };
  }

  private subscription(kind: ResourceKind): Subscription {
    if (RESOURCE_TYPES[kind].wildcard) return { wildcard: true, names: new Set() };
    return { wildcard: false, names: this.wanted[kind as ByName] };
  }

  private apply(kind: ResourceKind, update: ResourceUpdate): string[] {
    const errors = this.state.apply(kind, update);
    if (errors.length > 0) this.log.warn({ type: RESOURCE_TYPES[kind].short, errors: errors.slice(0, 10) }, 'rejecting configuration (NACK); keeping the last good config');
    if (kind === 'listener') this.updateWanted('route', this.state.wantedRoutes());
    if (kind === 'cluster') this.updateWanted('endpoint', this.state.wantedEndpoints());
    if (kind === 'listener' || kind === 'route') this.updateWanted('vhost', this.state.wantedVhosts());
    if (kind === 'listener' || kind === 'cluster') this.updateWanted('secret', this.state.wantedSecrets(LOCAL_SECRETS));
    this.republish();
    return errors;
  }

  private updateWanted(kind: ByName, names: Set<string>): void {
    const cur = this.wanted[kind];
    if (cur.size === names.size && [...names].every((n) => cur.has(n))) return;
    this.wanted[kind] = names;
    this.state.retain(kind, names);
    this.stream?.resubscribe(kind);
  }

  private republish(): void {
    const snap = this.state.reassemble();
    clearTimeout(this.warmTimer);
    const deadline = this.state.nextWarmDeadline();
    if (deadline !== undefined) {
      this.warmTimer = setTimeout(() => this.republish(), Math.max(1, deadline - this.now() + 1));
      this.warmTimer.unref?.();
    }
    if (snap) {
      this.log.debug({ version: snap.version, listeners: snap.listeners.size, clusters: snap.clusters.size, routes: snap.routes.size }, 'configuration snapshot');
      for (const fn of this.snapshotListeners) {
        try {
          fn(snap);
        } catch (err) {
          this.log.error({ err }, 'snapshot listener failed');
        }
      }
    }
    this.checkReady();
  }

  private recordAck(kind: ResourceKind, ack: { version: string; nonce: string; error?: string }): void {
    const st = this.typeStatus.get(kind)!;
    st.nonce = ack.nonce;
    if (ack.error) {
      st.nacks += 1;
      st.lastNack = { message: ack.error, nonce: ack.nonce, at: new Date(this.now()).toISOString() };
    } else {
      st.acks += 1;
      st.version = ack.version;
      this.acked.add(kind);
    }
    for (const fn of this.ackListeners) fn({ kind, ...ack });
    this.checkReady();
  }

  private checkReady(): void {
    if (this.isReady || !this.acked.has('listener') || !this.acked.has('cluster')) return;
    if (this.state.warming.some((w) => w.kind === 'listener' || w.kind === 'cluster')) return;
    this.isReady = true;
    this.log.info({ listeners: this.state.snapshot.listeners.size, clusters: this.state.snapshot.clusters.size }, 'first configuration applied; proxy ready');
    for (const w of this.readyWaiters.splice(0)) w();
  }
}
