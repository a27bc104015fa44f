// From changes to pushes (Istio's DiscoveryServer.ConfigUpdate + Push):
// config and registry changes become push requests, bursts merge in the
// debouncer, and each debounced push builds one PushContext from the current
// config and registry, installs it in the snapshot source and fans out to the
// xDS server. Endpoint-only registry changes stay endpoint-only pushes.
//
// While NATS is away (and for a settle time after it returns, while
// workloads announce themselves again) registry changes are held and the
// registry view is frozen: Pilot keeps serving what it served before.
//
// ServiceEntry and WorkloadEntry changes reach Pilot twice: as config and as
// the ServiceEntry registry's event, which says whether services changed (a
// full push) or only their endpoints (an EDS push). The config event of those
// kinds alone is dropped, so an endpoint that moves stays an endpoint push
// (Istio's serviceEntryHandler does the same for STATIC entries).
import type { IstioResource } from '@sextant/config-model';
import {
  PushContext,
  TriggerReason,
  fullPush as modelFullPush,
  mergePushRequests as mergeModel,
  type MeshConfig,
  type PushRequest as ModelPushRequest,
  type Service,
  type ServiceEndpoint,
} from '@sextant/pilot-model';
import { pushRequestFor, type RegistryEvent } from '@sextant/registry';
import type { Logger } from '@sextant/util';
import { debounce, endpointPush, fullPush, mergePushRequests, systemClock, type Clock, type Debouncer, type PushRequest } from '@sextant/xds-server';
import type { ConfigEvent } from './config-watcher';
import type { PushHistory } from './push-history';
import { SERVICE_ENTRY_KINDS } from './registries';

export interface PushTarget {
  push(request: PushRequest): void;
  readonly connectedCount: number;
}

export interface PushSink {
  setPush(push: PushContext, request: ModelPushRequest | undefined, xdsRequest?: PushRequest): void;
}

export interface RegistryView {
  services(): Service[];
  endpoints(): ServiceEndpoint[];
}

export interface PipelineMetrics {
  trigger?(reason: string): void;
  debounced?(ms: number): void;
  pushContextBuilt?(ms: number, push: PushContext): void;
}

export interface PushPipelineOptions {
  target: PushTarget;
  sink: PushSink;
  configs: () => readonly IstioResource[];
  registry: RegistryView;
  mesh?: Partial<MeshConfig>;
  quietMs: number;
  maxDelayMs: number;
  /** Registry changes stay held this long after NATS returns. */
  settleMs: number;
  history: PushHistory;
  logger: Logger;
  metrics?: PipelineMetrics;
  clock?: Clock;
  /** Config kinds whose changes a registry reports as its own events (default ServiceEntry, WorkloadEntry): not pushed as config. */
  registryKinds?: ReadonlySet<string>;
}

interface Held {
  model: ModelPushRequest | undefined;
  xds: PushRequest | undefined;
}

export class PushPipeline {
  private readonly debouncer: Debouncer;
  private readonly log: Logger;
  private pendingModel: ModelPushRequest | undefined;
  private started = false;
  private frozen: { services: Service[]; endpoints: ServiceEndpoint[]; since: number } | undefined;
  private holdUntil = 0;
  private releaseTimer: unknown;
  private readonly clock: Clock;
  private held: Held = { model: undefined, xds: undefined };
  private seq = 0;

  constructor(private readonly opts: PushPipelineOptions) {
    this.log = opts.logger.child({ scope: 'push' });
    this.clock = opts.clock ?? systemClock;
    this.debouncer = debounce((req) => this.push(req), { quietMs: opts.quietMs, maxDelayMs: opts.maxDelayMs, logger: this.log, clock: this.clock });
  }

  /** Whether the first PushContext has been built. */
  get initialized(): boolean {
    return this.started;
  }

  /** Registry changes held back (NATS away or settling), if any. */
  get holding(): { since: string; until?: string; pending: boolean } | undefined {
    if (!this.frozen) return undefined;
    return {
      since: new Date(this.frozen.since).toISOString(),
      ...(Number.isFinite(this.holdUntil) ? { until: new Date(this.holdUntil).toISOString() } : {}),
      pending: this.held.xds !== undefined,
    };
  }

  get pending(): PushRequest | undefined {
    return this.debouncer.pending;
  }

  /** Builds the first PushContext (config and registry loaded); proxies waiting for it get served. */
  initialize(): void {
    if (this.started) return;
    this.started = true;
    this.push(fullPush('initial config and registry loaded'), modelFullPush(TriggerReason.GlobalUpdate));
  }

  onConfig(event: ConfigEvent): void {
    if (!this.started || event.keys.size === 0) return;
    const registryKinds = this.opts.registryKinds ?? SERVICE_ENTRY_KINDS;
    const keys = [...event.keys].filter((k) => !registryKinds.has(k.slice(0, k.indexOf('/'))));
    if (keys.length === 0) return; // the registry's own event pushes what changed
    const kinds = [...new Set(keys.map((k) => k.slice(0, k.indexOf('/'))))].sort();
    this.opts.metrics?.trigger?.(TriggerReason.ConfigUpdate);
    this.enqueue(modelFullPush(TriggerReason.ConfigUpdate, keys, event.at), fullPush(`config: ${kinds.join(',')}${event.batch ? ` (batch ${event.batch})` : ''}`, { start: event.at }));
  }

  onRegistry(event: RegistryEvent): void {
    if (!this.started) return;
    const now = this.now();
    const model = pushRequestFor(event, now);
    const what = `${event.registry} ${event.kind}: ${event.services.map((s) => s.hostname).slice(0, 4).join(',')}${event.services.length > 4 ? ',...' : ''}`;
    const xds = event.kind === 'endpoint' ? endpointPush(what, { start: now }) : fullPush(what, { start: now });
    this.opts.metrics?.trigger?.(event.kind === 'endpoint' ? TriggerReason.EndpointUpdate : TriggerReason.ServiceUpdate);
    if (this.frozen) {
      this.held = { model: mergeModel(this.held.model, model), xds: mergePushRequests(this.held.xds, xds) };
      return;
    }
    this.enqueue(model, xds);
  }

  /** NATS went away (hold registry changes) or came back (release them after the settle time). */
  setNatsConnected(connected: boolean): void {
    if (!this.started) return;
    if (!connected) {
      if (!this.frozen) {
        this.frozen = { services: this.opts.registry.services(), endpoints: this.opts.registry.endpoints(), since: this.now() };
        this.log.warn('NATS away: serving the last registry state; registry changes are held');
      }
      this.holdUntil = Number.POSITIVE_INFINITY;
      this.clearRelease();
      return;
    }
    if (!this.frozen) return;
    this.holdUntil = this.now() + this.opts.settleMs;
    this.clearRelease();
    this.releaseTimer = this.clock.setTimeout(() => this.release(), this.opts.settleMs);
    (this.releaseTimer as { unref?: () => void }).unref?.();
  }

  private clearRelease(): void {
    if (this.releaseTimer !== undefined) this.clock.clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  /** Pushes whatever is pending now. */
  flush(): void {
    this.debouncer.flush();
  }

  stop(): void {
    this.debouncer.stop();
    this.clearRelease();
  }

  private release(): void {
    this.releaseTimer = undefined;
    if (!this.frozen || this.now() < this.holdUntil) return;
    this.frozen = undefined;
    const { model, xds } = this.held;
    this.held = { model: undefined, xds: undefined };
    this.log.info({ pending: xds !== undefined }, 'NATS settled: registry changes flow again');
    if (xds) this.enqueue(model, xds);
  }

  private enqueue(model: ModelPushRequest | undefined, xds: PushRequest): void {
    this.pendingModel = model ? mergeModel(this.pendingModel, model) : this.pendingModel;
    this.debouncer.enqueue(xds);
  }

  private now(): number {
    return this.clock.now();
  }

  private push(request: PushRequest, initialModel?: ModelPushRequest): void {
    const model = initialModel ?? this.pendingModel;
    this.pendingModel = undefined;
    const t0 = this.now();
    this.opts.metrics?.debounced?.(Math.max(0, t0 - request.start));
    const registry = this.frozen ?? { services: this.opts.registry.services(), endpoints: this.opts.registry.endpoints() };
    const version = `${new Date(t0).toISOString()}/${++this.seq}`;
    let push: PushContext;
    try {
      push = PushContext.build({ services: registry.services, endpoints: registry.endpoints, configs: this.opts.configs(), mesh: this.opts.mesh, version });
    } catch (err) {
      this.log.error({ err, reason: request.reason }, 'building the push context failed; proxies keep their config');
      this.opts.history.failed(version, request, err);
      return;
    }
    const built = this.now();
    this.opts.metrics?.pushContextBuilt?.(built - t0, push);
    this.opts.sink.setPush(push, model, request);
    this.opts.target.push(request);
    this.opts.history.record({ version, request, model, push, builtMs: built - t0, proxies: this.opts.target.connectedCount });
    this.log.info(
      { version, full: request.full, types: request.types ? [...request.types] : 'all', reason: request.reason.slice(0, 5), debounceMs: t0 - request.start, buildMs: built - t0 },
      'push',
    );
  }
}
