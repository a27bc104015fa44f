// What SotW and delta streams share: the proxy's identity, its current
// (checked) snapshot, one serial work loop per stream, and bounded sending.
//
// Work for a stream is serialized: requests in arrival order (at most
// `maxQueuedRequests`), and at most one pending push, into which every new
// push merges (coalescing). Responses go out with at most
// `maxInFlightResponses` unflushed; a client that does not read within
// `sendTimeoutMs` gets its stream closed. Nothing a stream does can block
// another stream or the caller of AdsServer.push().
import type * as grpc from '@grpc/grpc-js';
import type { Node__Output } from '@sextant/proto';
import { toServiceError } from '@sextant/grpc';
import { type Logger, errorMessage } from '@sextant/util';
import { type ConsistencyError, checkConsistency } from './consistency';
import { XdsError } from './errors';
import type { XdsMetrics } from './metrics';
import { type ProxyInfo, proxyFromNode } from './proxy-id';
import { type PushRequest, mergePushRequests } from './push-request';
import { EMPTY_SNAPSHOT, type Snapshot, type SnapshotSource, mergeSnapshot } from './snapshot';
import { type ConnectionStatus, type TypeStatus, iso } from './status';
import type { XdsAuthorizer, XdsPeerSecurity } from './tls-auth';
import { vhdsSnapshot, wantsVhds } from './vhds';

export interface ConnectionContext {
  source: SnapshotSource;
  logger: Logger;
  metrics: XdsMetrics;
  now(): number;
  nonce(): string;
  pushOrder: readonly string[];
  /** Types whose SotW responses must carry every subscribed resource and imply deletions (LDS, CDS). */
  fullStateTypes: ReadonlySet<string>;
  sendTimeoutMs: number;
  /** How long a push holds its LDS/RDS while new clusters wait for their endpoints. */
  clusterWarmTimeoutMs: number;
  maxQueuedRequests: number;
  maxInFlightResponses: number;
  strictEncoding: boolean;
  /** Whether Delta clients that ask for VHDS get it. */
  vhds: boolean;
  controlPlaneId?: string;
  /** Streams of an authenticated port: checks the peer against the node of the first request (throws to refuse). */
  authorize?: XdsAuthorizer;
  /** A new stream (pushes reach it from now on, also while it initializes). */
  track(conn: AdsConnection): void;
  /** The stream's proxy is known and its first snapshot generated. */
  register(conn: AdsConnection): void;
  unregister(conn: AdsConnection): void;
}

interface BaseRequest {
  node?: Node__Output | null;
  typeUrl?: string;
}

let connectionCounter = 0;

export abstract class AdsConnection<Req extends BaseRequest = BaseRequest, Res = unknown> {
  readonly id: string;
  readonly connectedAt: number;
  readonly peer: string;
  proxy: ProxyInfo | undefined;
  security: XdsPeerSecurity | undefined;
  protected current: Snapshot = EMPTY_SNAPSHOT;
  /** RDS goes out through VHDS (a Delta client that asked for it). */
  protected vhds = false;
  protected inconsistencies: ConsistencyError[] = [];
  protected log: Logger;
  private requests: Req[] = [];
  private pendingPush: PushRequest | undefined;
  private initializing = false;
  private running = false;
  private closed = false;
  private inFlight = 0;
  private blockedSince: number | undefined;
  private writeWaiters: (() => void)[] = [];
  private lastPushError: { message: string; at: number } | undefined;
  private tasks: (() => Promise<void>)[] = [];
  private parked: { waiting: Set<string>; request: PushRequest; timer: ReturnType<typeof setTimeout>; since: number } | undefined;

  constructor(
    protected readonly ctx: ConnectionContext,
    protected readonly call: grpc.ServerDuplexStream<Req, Res>,
    readonly protocol: 'sotw' | 'delta',
  ) {
    this.id = `${protocol}-${++connectionCounter}`;
    this.connectedAt = ctx.now();
    this.peer = call.getPeer();
    this.log = ctx.logger.child({ conn: this.id, peer: this.peer });
    call.on('data', (req: Req) => this.onRequest(req));
    call.on('end', () => this.close());
    call.on('cancelled', () => this.close());
    call.on('close', () => this.close());
    ctx.track(this);
  }

  /** Per-type status (protocol specific). */
  protected abstract typeStatuses(): TypeStatus[];
  /** Handles one request once the proxy is known. */
  protected abstract onDiscoveryRequest(req: Req): Promise<void>;
  /**
   * Push, first half: the changed types up to EDS in push order (CDS, EDS),
   * removals held back. Returns the EDS names that clusters just sent need
   * and the client has not been sent yet (new clusters it has yet to ask for).
   */
  protected abstract sendClusters(request: PushRequest): Promise<Set<string>>;
  /** Push, second half, recomputed from the current state: the other types, then removals. */
  protected abstract sendRest(request: PushRequest): Promise<void>;

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues a push; merges with one already waiting. Never blocks. */
  enqueuePush(request: PushRequest): void {
    if (this.closed || (!this.proxy && !this.initializing)) return;
    this.pendingPush = mergePushRequests(this.pendingPush, request);
    void this.kick();
  }

  /** Ends the stream with an error status (queued behind what is already buffered). */
  fail(err: unknown): void {
    if (this.closed) return;
    const status = toServiceError(err);
    this.log.warn({ err: errorMessage(err), code: status.code }, 'closing xDS stream');
    this.forget();
    this.call.emit('error', status);
  }

  /** Ends the stream with OK (the client went away or half-closed). */
  close(): void {
    if (this.closed) return;
    this.forget();
    if (this.call.writable && !this.call.writableEnded) {
      try {
        this.call.end();
      } catch {
        /* already gone */
      }
    }
  }

  private forget(): void {
    this.closed = true;
    this.requests = [];
    this.pendingPush = undefined;
    this.tasks = [];
    this.unpark();
    for (const wake of this.writeWaiters.splice(0)) wake();
    this.ctx.unregister(this);
    if (this.proxy) this.log.info('xDS stream closed');
  }

  status(): ConnectionStatus {
    return {
      connectionId: this.id,
      protocol: this.protocol,
      peer: this.peer,
      ...(this.proxy ? { proxy: this.proxy } : {}),
      ...(this.security ? { security: this.security } : {}),
      connectedSince: iso(this.connectedAt)!,
      types: this.typeStatuses(),
      inconsistencies: [...this.inconsistencies],
      ...(this.lastPushError ? { lastPushError: { message: this.lastPushError.message, at: iso(this.lastPushError.at)! } } : {}),
      queue: {
        requests: this.requests.length,
        pushPending: this.pendingPush !== undefined,
        inFlightResponses: this.inFlight,
        ...(this.blockedSince !== undefined ? { blockedSince: iso(this.blockedSince)! } : {}),
        ...(this.parked ? { waitingForEndpoints: [...this.parked.waiting], waitingSince: iso(this.parked.since)! } : {}),
      },
    };
  }

  private onRequest(req: Req): void {
    if (this.closed) return;
    if (this.requests.length >= this.ctx.maxQueuedRequests) {
      this.fail(new XdsError('XDS_BACKLOG_UNAVAILABLE', `more than ${this.ctx.maxQueuedRequests} requests queued on one stream`));
      return;
    }
    this.requests.push(req);
    void this.kick();
  }

  private async kick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed) {
        const req = this.requests.shift();
        if (req) {
          await this.handleRequest(req);
          continue;
        }
        const task = this.tasks.shift();
        if (task) {
          await task();
          continue;
        }
        const push = this.pendingPush;
        if (push && this.proxy) {
          this.pendingPush = undefined;
          await this.runPush(push);
          continue;
        }
        break;
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.running = false;
    }
  }

  private async handleRequest(req: Req): Promise<void> {
    if (!this.proxy) {
      const parsed = proxyFromNode(req.node);
      if (!parsed.ok) throw new XdsError('XDS_NODE_INVALID', parsed.errors.join('; '));
      if (this.ctx.authorize) this.security = this.ctx.authorize(this.call, parsed.value);
      this.initializing = true;
      try {
        this.proxy = parsed.value;
        this.vhds = this.protocol === 'delta' && this.ctx.vhds && wantsVhds(parsed.value.metadata);
        this.log = this.log.child({ proxy: parsed.value.id });
        await this.refresh(undefined, undefined);
      } catch (err) {
        throw new XdsError('XDS_SNAPSHOT_UNAVAILABLE', `no snapshot for ${parsed.value.id}: ${errorMessage(err)}`, { cause: err });
      } finally {
        this.initializing = false;
      }
      if (this.closed) return;
      this.ctx.register(this);
      this.log.info({ userAgent: this.proxy.userAgent }, 'xDS stream connected');
    }
    if (!req.typeUrl) throw new XdsError('XDS_REQUEST_INVALID', 'request without type_url on an aggregated stream');
    await this.onDiscoveryRequest(req);
  }

  private async runPush(request: PushRequest): Promise<void> {
    const proxy = this.proxy!;
    if (request.proxies && !request.proxies.has(proxy.id)) return;
    if (this.ctx.source.affects && !this.ctx.source.affects(proxy, request)) return;
    const t0 = this.ctx.now();
    try {
      await this.refresh(request.types, request);
    } catch (err) {
      this.lastPushError = { message: errorMessage(err), at: this.ctx.now() };
      this.log.error({ err, reason: request.reason }, 'snapshot generation failed; the proxy keeps its current config');
      return;
    }
    await this.pushChanges(request);
    this.ctx.metrics.pushTime?.(this.ctx.now() - t0, { full: request.full });
  }

  /**
   * Sends a push in order. Routes are not warmed by Envoy, so when the push
   * brings clusters whose endpoints the client has yet to ask for, the rest
   * of the push (LDS, RDS, ..., removals) waits until those endpoints have
   * been sent, or `clusterWarmTimeoutMs`. Requests keep being served while
   * it waits; a newer push replaces the wait.
   */
  private async pushChanges(request: PushRequest): Promise<void> {
    this.unpark();
    const waiting = await this.sendClusters(request);
    if (this.closed) return;
    if (waiting.size === 0) {
      await this.sendRest(request);
      return;
    }
    const timer = setTimeout(() => {
      this.log.warn({ waiting: [...waiting] }, 'endpoints for new clusters not requested in time; sending the rest of the push');
      this.resume();
    }, this.ctx.clusterWarmTimeoutMs);
    this.parked = { waiting, request, timer, since: this.ctx.now() };
  }

  /** Whether a push is waiting for endpoints (its LDS/RDS and removals not sent yet). */
  protected get pushWaiting(): boolean {
    return this.parked !== undefined;
  }

  /** Subclasses call this after sending ClusterLoadAssignments. */
  protected endpointsSent(names: Iterable<string>): void {
    if (!this.parked) return;
    for (const n of names) this.parked.waiting.delete(n);
    if (this.parked.waiting.size === 0) this.resume();
  }

  private resume(): void {
    const parked = this.parked;
    if (!parked) return;
    this.unpark();
    this.tasks.push(() => this.sendRest(parked.request));
    void this.kick();
  }

  private unpark(): void {
    if (this.parked) clearTimeout(this.parked.timer);
    this.parked = undefined;
  }

  /** Generates, merges and checks this proxy's snapshot. */
  private async refresh(types: ReadonlySet<string> | undefined, request: PushRequest | undefined): Promise<void> {
    const update = await this.ctx.source.snapshotFor(this.proxy!, types, request);
    const merged = types === undefined ? update : mergeSnapshot(this.current, update);
    const checked = checkConsistency(this.vhds ? vhdsSnapshot(merged) : merged, { strict: this.ctx.strictEncoding });
    const known = new Set(this.inconsistencies.map((e) => `${e.typeUrl}|${e.name}|${e.version}`));
    for (const e of checked.errors) {
      if (known.has(`${e.typeUrl}|${e.name}|${e.version}`)) continue;
      this.log.warn({ typeUrl: e.typeUrl, name: e.name, reason: e.reason }, 'inconsistent resource dropped from snapshot');
      this.ctx.metrics.inconsistent?.(e, this.proxy!);
    }
    this.inconsistencies = checked.errors;
    this.current = checked.snapshot;
  }

  /** Writes one response, waiting (bounded) while the client is not reading. */
  protected async send(res: Res): Promise<boolean> {
    while (!this.closed && this.inFlight >= this.ctx.maxInFlightResponses) {
      this.blockedSince ??= this.ctx.now();
      const drained = await this.waitForWrite();
      if (!drained && !this.closed) {
        this.fail(new XdsError('XDS_CLIENT_SLOW_UNAVAILABLE', `client did not read responses for ${this.ctx.sendTimeoutMs} ms`));
      }
    }
    if (this.closed) return false;
    this.blockedSince = undefined;
    this.inFlight++;
    this.call.write(res, () => {
      this.inFlight--;
      this.writeWaiters.shift()?.();
    });
    return true;
  }

  private waitForWrite(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.writeWaiters.indexOf(wake);
        if (i >= 0) this.writeWaiters.splice(i, 1);
        resolve(false);
      }, this.ctx.sendTimeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.writeWaiters.push(wake);
    });
  }

  /** Types in push order: the configured order first, the rest sorted after. */
  protected ordered(types: Iterable<string>): string[] {
    const order = this.ctx.pushOrder;
    const rank = (t: string) => {
      const i = order.indexOf(t);
      return i < 0 ? order.length : i;
    };
    return [...types].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }
}
