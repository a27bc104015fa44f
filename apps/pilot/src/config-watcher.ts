// The config Pilot sees: Istio resources from the `sextant_config` bucket,
// consumed through @sextant/config-store's batch-aware watch, so a batch
// (one `sextant apply -f` of several documents) is applied all at once and
// never half. Every resource is checked again before Pilot uses it; an
// invalid one is reported and skipped (its last valid version stays).
// When NATS goes away the last state stays; when it comes back the watch
// starts again and its initial state is diffed against what Pilot holds.
import type { IstioResource, Resource } from '@sextant/config-model';
import type { ConfigUpdate, ConfigWatch } from '@sextant/config-store';
import { configKey, type ConfigKey } from '@sextant/pilot-model';
import { errorMessage, type Logger } from '@sextant/util';

/** Opens a watch on the config bucket (a ConfigStore's watch over the live NATS connection). */
export type WatchOpener = () => Promise<ConfigWatch>;

/** Checks one stored resource; returns it in the form Pilot uses, or why not. */
export type Admit = (resource: Resource) => { ok: true; resource: IstioResource } | { ok: false; reason: string };

export interface ConfigEvent {
  /** Keys (Kind/namespace/name) that changed: added, modified or deleted. */
  keys: ReadonlySet<ConfigKey>;
  /** The first state after a (re)start of the watch. */
  initial: boolean;
  batch?: string;
  partial?: boolean;
  /** When the update arrived (ms). */
  at: number;
}

export interface RejectedConfig {
  key: ConfigKey;
  resourceVersion?: string;
  reason: string;
  at: string;
  /** Whether an earlier valid version is still in use. */
  keptPrevious: boolean;
}

export interface ConfigWatcherStatus {
  watching: boolean;
  loaded: boolean;
  resources: number;
  rejected: number;
  updates: number;
  restarts: number;
  lastUpdateAt?: string;
  lastBatch?: string;
  lastError?: string;
}

export interface ConfigWatcherOptions {
  open: WatchOpener;
  logger: Logger;
  admit?: Admit;
  /** Pause before watching again after a failure (default 1000 ms). */
  retryMs?: number;
  now?: () => number;
}

type Listener = (event: ConfigEvent) => void;

const keyOfResource = (r: Resource): ConfigKey => configKey(r.kind, r.metadata.namespace ?? '', r.metadata.name);

export class ConfigWatcher {
  private readonly current = new Map<ConfigKey, IstioResource>();
  private readonly rejectedByKey = new Map<ConfigKey, RejectedConfig>();
  private readonly listeners = new Set<Listener>();
  private readonly log: Logger;
  private readonly now: () => number;
  private watch: ConfigWatch | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private isLoaded = false;
  private loadedWaiters: (() => void)[] = [];
  private readonly stats = { updates: 0, restarts: 0, lastUpdateAt: 0, lastBatch: undefined as string | undefined, lastError: undefined as string | undefined };

  constructor(private readonly opts: ConfigWatcherOptions) {
    this.log = opts.logger.child({ scope: 'config-watcher' });
    this.now = opts.now ?? Date.now;
  }

  /** Whether the first full state has been read. */
  get loaded(): boolean {
    return this.isLoaded;
  }

  /** Resolves once the first full state has been read. */
  whenLoaded(): Promise<void> {
    if (this.isLoaded) return Promise.resolve();
    return new Promise((resolve) => this.loadedWaiters.push(resolve));
  }

  /** The accepted resources, sorted by key. */
  configs(): IstioResource[] {
    return [...this.current.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }

  get(key: ConfigKey): IstioResource | undefined {
    return this.current.get(key);
  }

  rejected(): RejectedConfig[] {
    return [...this.rejectedByKey.values()];
  }

  status(): ConfigWatcherStatus {
    return {
      watching: this.watch !== undefined,
      loaded: this.isLoaded,
      resources: this.current.size,
      rejected: this.rejectedByKey.size,
      updates: this.stats.updates,
      restarts: this.stats.restarts,
      ...(this.stats.lastUpdateAt ? { lastUpdateAt: new Date(this.stats.lastUpdateAt).toISOString() } : {}),
      ...(this.stats.lastBatch ? { lastBatch: this.stats.lastBatch } : {}),
      ...(this.stats.lastError ? { lastError: this.stats.lastError } : {}),
    };
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts watching in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the current watch and starts a new one (e.g. NATS reconnected); the state stays meanwhile. */
  restart(reason: string): void {
    if (this.stopped || !this.watch) {
      this.wake?.();
      return;
    }
    this.log.info({ reason }, 'restarting the config watch');
    this.watch.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.stop();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const watch = await this.opts.open();
        if (this.stopped) {
          watch.stop();
          break;
        }
        this.watch = watch;
        for await (const update of watch) {
          if (this.stopped) break;
          this.apply(update);
        }
      } catch (err) {
        if (!this.stopped) {
          this.stats.lastError = errorMessage(err);
          this.log.warn({ err: this.stats.lastError }, 'config watch failed; keeping the last config and watching again');
        }
      } finally {
        this.watch = undefined;
      }
      if (this.stopped) break;
      this.stats.restarts++;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.retryMs ?? 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Applies one update (a batch, or the initial state) as a whole, then tells listeners once. */
  apply(update: ConfigUpdate): void {
    const changed = new Set<ConfigKey>();
    if (update.initial) {
      // The state when the watch (re)started replaces what was held.
      const seen = new Set<ConfigKey>();
      for (const c of update.changes) {
        const key = keyOfResource(c.resource);
        seen.add(key);
        if (this.put(key, c.resource)) changed.add(key);
      }
      for (const key of [...this.current.keys()]) {
        if (!seen.has(key)) {
          this.current.delete(key);
          changed.add(key);
        }
      }
      for (const key of [...this.rejectedByKey.keys()]) if (!seen.has(key)) this.rejectedByKey.delete(key);
    } else {
      for (const c of update.changes) {
        const key = keyOfResource(c.resource);
        if (c.type === 'DELETED') {
          this.rejectedByKey.delete(key);
          if (this.current.delete(key)) changed.add(key);
        } else if (this.put(key, c.resource)) {
          changed.add(key);
        }
      }
    }
    this.stats.updates++;
    this.stats.lastUpdateAt = this.now();
    if (update.batch) this.stats.lastBatch = update.batch;
    if (update.partial) this.log.warn({ batch: update.batch, changes: update.changes.length }, 'applying an incomplete batch (its writer gave up)');
    this.log.debug({ initial: update.initial, batch: update.batch, changed: changed.size }, 'config update');
    const firstLoad = update.initial && !this.isLoaded;
    if (firstLoad) {
      this.isLoaded = true;
      for (const w of this.loadedWaiters.splice(0)) w();
      this.log.info({ resources: this.current.size, rejected: this.rejectedByKey.size }, 'initial config loaded');
    }
    if (changed.size === 0 && !firstLoad) return;
    const event: ConfigEvent = {
      keys: changed,
      initial: update.initial,
      at: this.stats.lastUpdateAt,
      ...(update.batch ? { batch: update.batch } : {}),
      ...(update.partial ? { partial: true } : {}),
    };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err }, 'config listener failed');
      }
    }
  }

  /** Admits and stores one resource; true when what Pilot uses changed. */
  private put(key: ConfigKey, resource: Resource): boolean {
    const verdict = this.opts.admit ? this.opts.admit(resource) : { ok: true as const, resource: resource as IstioResource };
    const previous = this.current.get(key);
    if (!verdict.ok) {
      const rejected: RejectedConfig = {
        key,
        reason: verdict.reason,
        at: new Date(this.now()).toISOString(),
        keptPrevious: previous !== undefined,
        ...(resource.metadata.resourceVersion ? { resourceVersion: resource.metadata.resourceVersion } : {}),
      };
      this.rejectedByKey.set(key, rejected);
      this.log.warn({ key, resourceVersion: rejected.resourceVersion, reason: verdict.reason }, 'skipping an invalid resource from the config bucket');
      return false;
    }
    this.rejectedByKey.delete(key);
    if (previous && previous.metadata.resourceVersion !== undefined && previous.metadata.resourceVersion === verdict.resource.metadata.resourceVersion) {
      return false;
    }
    this.current.set(key, verdict.resource);
    return true;
  }
}
