// Pilot's SnapshotSource: the xDS server asks it for a proxy's resources;
// it translates the current PushContext for that proxy and caches the result
// under the proxy's cache key, so every proxy with the same key shares the
// same objects (encoded and hashed once by the server).
//
// Generations: each push installs a new PushContext. A full push starts an
// empty cache; an endpoint-only push keeps every cached type but EDS, which
// is regenerated on demand: incrementally (Istio's EndpointShards push) when
// the push names its services, only their ClusterLoadAssignments rebuilt and
// every other one kept as the same object with the same encoding. Until the first PushContext exists (config and
// registry not loaded yet), requests wait: a restarted Pilot never answers
// a reconnecting client with an empty config.
import { proxyFromNode, proxyNeedsPush, servicesUpdated, type ProxyInfo as ModelProxy, type PushContext, type PushRequest as ModelPushRequest } from '@sextant/pilot-model';
import { TYPE_URL } from '@sextant/proto';
import { type ProxyInfo, type PushRequest, type Snapshot, type SnapshotSource, type TypeResources } from '@sextant/xds-server';
import type { Logger } from '@sextant/util';
import { ResourceInterner, type InternStats } from './resource-interner';
import { ClusterRetirement } from './retired-clusters';

/** What translation gives for one proxy. */
export interface TranslatedConfig {
  /** Resources by type URL (plain objects shaped like Envoy's messages). */
  resources: ReadonlyMap<string, readonly object[]>;
  /** What could not be translated (never thrown). */
  warnings: readonly string[];
}

/** The translation seam (@sextant/translate behind it; a fake in tests). */
export interface Translator {
  /** Resources for one proxy: at least `types` (every type when undefined); more may come back. */
  translate(push: PushContext, proxy: ModelProxy, types: ReadonlySet<string> | undefined): TranslatedConfig;
  /**
   * Istio's incremental EDS: only the ClusterLoadAssignments of the services
   * `hostnames` (each of their clusters, subsets included), built as
   * translate() would for this push. Without it every endpoint push rebuilds all.
   */
  translateEndpoints?(push: PushContext, proxy: ModelProxy, hostnames: ReadonlySet<string>): TranslatedConfig;
  /** Two proxies with the same key get the same output from the same push. */
  cacheKey(push: PushContext, proxy: ModelProxy): string;
  /** Whether every proxy keeps its cache key from `previous` to `next` given what changed (then keys are not recomputed). */
  keysCarryOver?(previous: PushContext, next: PushContext, request: ModelPushRequest | undefined): boolean;
  /** Whether one proxy keeps its cache key from `previous` to `next` (asked when not every proxy does, e.g. on an endpoint push). */
  keyCarriesOver?(previous: PushContext, next: PushContext, request: ModelPushRequest | undefined, proxy: ModelProxy): boolean;
}

/** The xDS types Pilot serves, in push order. */
export const SERVED_TYPES: readonly string[] = [TYPE_URL.cluster, TYPE_URL.endpoint, TYPE_URL.listener, TYPE_URL.route, TYPE_URL.secret];

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  interned: InternStats;
}

export interface SnapshotSourceHooks {
  /** A snapshot was read from the cache (hit) or translated (miss). */
  cacheRead?(hit: boolean): void;
  /** Translation of one proxy's types took `ms`. */
  translated?(ms: number, types: number): void;
  translateFailed?(proxyId: string, err: unknown): void;
}

export interface SnapshotSourceOptions {
  /** How long clusters removed from a proxyless proxy's output stay served (see retired-clusters.ts). */
  retiredClusterGraceMs?: number;
  /**
   * Snapshots handed out per event-loop turn (Istio's push throttle). A push
   * to thousands of proxies then goes out in waves: the first proxies'
   * responses are on the wire, and their ACKs handled, while later ones are
   * still generated, instead of everything waiting for the whole fan-out.
   */
  batchSize?: number;
  now?: () => number;
}

interface CacheEntry {
  key: string;
  types: Map<string, TypeResources>;
  warnings: ReadonlySet<string>;
  /**
   * EDS of this key from an earlier generation, and the services whose
   * endpoints changed since (endpoint-only pushes in between): the next
   * EDS build rebuilds only those services' CLAs and keeps the rest.
   */
  staleEds?: { resources: TypeResources; changed: ReadonlySet<string> };
  /** Snapshots handed out, by the types they hold: the same object for every proxy of this entry (the server caches its checks per snapshot). */
  snapshots: Map<string, Snapshot>;
}

interface Generation {
  push: PushContext;
  request: ModelPushRequest | undefined;
  cache: Map<string, CacheEntry>;
  /** Cache key per connected proxy, computed once per generation (or carried over from the previous one when no key can have changed). */
  keys: WeakMap<ProxyInfo, string>;
  /** The previous generation's push and keys, for keys that carry over proxy by proxy. */
  previous?: { push: PushContext; keys: WeakMap<ProxyInfo, string> };
}

/**
 * Types a push leaves valid (Istio skips generators a change cannot affect):
 * an endpoint-only push changes only EDS; a change of VirtualServices alone
 * changes listeners and routes, never clusters or their endpoints.
 */
export function reusableTypes(request: ModelPushRequest | undefined): ReadonlySet<string> {
  if (!request) return new Set();
  if (!request.full) return new Set(SERVED_TYPES.filter((t) => t !== TYPE_URL.endpoint));
  const keys = request.configsUpdated;
  if (keys && keys.size > 0 && [...keys].every((k) => k.startsWith('VirtualService/'))) return new Set([TYPE_URL.cluster, TYPE_URL.endpoint, TYPE_URL.secret]);
  return new Set();
}

/**
 * What an entry's EDS can be rebuilt from after an endpoint-only push: its
 * current (or still stale) EDS plus the services the push names. Nothing
 * when the push is not endpoint-only or does not name its services.
 */
function carriedEds(entry: CacheEntry, request: ModelPushRequest | undefined): CacheEntry['staleEds'] {
  if (!request || request.full) return undefined;
  const changed = servicesUpdated(request);
  if (!changed || changed.size === 0 || request.configsUpdated!.size !== changed.size) return undefined;
  const eds = entry.types.get(TYPE_URL.endpoint);
  if (eds) return { resources: eds, changed };
  if (entry.staleEds) return { resources: entry.staleEds.resources, changed: new Set([...entry.staleEds.changed, ...changed]) };
  return undefined;
}

/** The service hostname of an outbound cluster name (`outbound|port|subset|host`); undefined for any other name. */
export function clusterHostname(name: string): string | undefined {
  return name.startsWith('outbound|') ? name.slice(name.lastIndexOf('|') + 1) : undefined;
}

export class PilotSnapshotSource implements SnapshotSource {
  private generation: Generation | undefined;
  private readonly waiters: (() => void)[] = [];
  private readonly modelProxies = new WeakMap<ProxyInfo, ModelProxy>();
  private readonly modelRequests = new WeakMap<PushRequest, ModelPushRequest>();
  private readonly log: Logger;
  private readonly stats = { hits: 0, misses: 0 };

  private readonly retirement: ClusterRetirement;
  private readonly interner = new ResourceInterner();
  private readonly batchSize: number;
  private readonly queue: (() => void)[] = [];
  private draining = false;

  constructor(
    private readonly translator: Translator,
    logger: Logger,
    private readonly hooks: SnapshotSourceHooks = {},
    options: SnapshotSourceOptions = {},
  ) {
    this.log = logger.child({ scope: 'snapshot-source' });
    this.retirement = new ClusterRetirement(options.retiredClusterGraceMs ?? 10_000, options.now);
    this.batchSize = Math.max(1, options.batchSize ?? 100);
  }

  /** The PushContext proxies are served from (undefined until the first load). */
  get push(): PushContext | undefined {
    return this.generation?.push;
  }

  get ready(): boolean {
    return this.generation !== undefined;
  }

  cacheStats(): CacheStats {
    return { ...this.stats, entries: this.generation?.cache.size ?? 0, interned: this.interner.internStats() };
  }

  /** Installs a new PushContext; `request` says what changed (undefined: everything). */
  setPush(push: PushContext, request: ModelPushRequest | undefined, xdsRequest?: PushRequest): void {
    const previous = this.generation;
    const cache = new Map<string, CacheEntry>();
    const keep = reusableTypes(request);
    if (previous && keep.size > 0) {
      for (const [key, entry] of previous.cache) {
        const types = new Map([...entry.types].filter(([t]) => keep.has(t)));
        const staleEds = keep.has(TYPE_URL.endpoint) ? undefined : carriedEds(entry, request);
        cache.set(key, { key, types, warnings: entry.warnings, snapshots: new Map(), ...(staleEds ? { staleEds } : {}) });
      }
    }
    const sameKeys = previous !== undefined && this.translator.keysCarryOver?.(previous.push, push, request) === true;
    const perProxy = previous !== undefined && !sameKeys && request !== undefined && !request.full && this.translator.keyCarriesOver !== undefined;
    this.generation = { push, request, cache, keys: sameKeys ? previous.keys : new WeakMap(), ...(perProxy ? { previous: { push: previous.push, keys: previous.keys } } : {}) };
    this.interner.nextGeneration();
    if (xdsRequest && request) this.modelRequests.set(xdsRequest, request);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The model's view of a connected proxy (cached per connection). */
  modelProxy(proxy: ProxyInfo): ModelProxy {
    let m = this.modelProxies.get(proxy);
    if (!m) {
      const agent = proxy.userAgent.includes('/') ? proxy.userAgent.slice(0, proxy.userAgent.lastIndexOf('/')) : proxy.userAgent;
      m = proxyFromNode({
        id: proxy.id,
        metadata: proxy.metadata as Record<string, unknown>,
        cluster: proxy.cluster,
        userAgentName: agent,
        ...(proxy.locality ? { locality: proxy.locality } : {}),
      });
      this.modelProxies.set(proxy, m);
    }
    return m;
  }

  affects(proxy: ProxyInfo, request: PushRequest): boolean {
    const model = this.modelRequests.get(request);
    const generation = this.generation;
    if (!model || !generation) return true;
    try {
      return proxyNeedsPush(generation.push, this.modelProxy(proxy), model);
    } catch {
      return true;
    }
  }

  snapshotFor(proxy: ProxyInfo, changedTypes?: ReadonlySet<string>): Promise<Snapshot> {
    const ready = this.generation ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve));
    return ready.then(
      () =>
        new Promise<Snapshot>((resolve, reject) => {
          this.queue.push(() => {
            try {
              resolve(this.generate(proxy, changedTypes));
            } catch (err) {
              reject(err);
            }
          });
          this.drainSoon();
        }),
    );
  }

  /** Serves queued requests `batchSize` at a time, one batch per event-loop turn (I/O runs in between). */
  private drainSoon(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    for (const serve of this.queue.splice(0, this.batchSize)) serve();
    if (this.queue.length > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }

  /** Translation output for a proxy as the current push sees it (for /debug/config_dump). */
  configFor(proxy: ProxyInfo): { snapshot: Snapshot; warnings: string[]; cacheKey: string; pushVersion: string } | undefined {
    const generation = this.generation;
    if (!generation) return undefined;
    const snapshot = this.generate(proxy, undefined);
    const key = this.keyOf(generation, proxy);
    return { snapshot, warnings: [...(generation.cache.get(key)?.warnings ?? [])], cacheKey: key, pushVersion: generation.push.version };
  }

  /** Every translation warning of the current generation, with how many cache entries report it. */
  warnings(): { warning: string; entries: number }[] {
    const counts = new Map<string, number>();
    for (const entry of this.generation?.cache.values() ?? []) for (const w of entry.warnings) counts.set(w, (counts.get(w) ?? 0) + 1);
    return [...counts.entries()].map(([warning, entries]) => ({ warning, entries })).sort((a, b) => b.entries - a.entries);
  }

  private keyOf(generation: Generation, proxy: ProxyInfo): string {
    let key = generation.keys.get(proxy);
    if (key === undefined) {
      const before = generation.previous;
      const kept = before?.keys.get(proxy);
      key =
        kept !== undefined && this.translator.keyCarriesOver!(before!.push, generation.push, generation.request, this.modelProxy(proxy))
          ? kept
          : this.translator.cacheKey(generation.push, this.modelProxy(proxy));
      generation.keys.set(proxy, key);
    }
    return key;
  }

  /** On-demand subscribers keep removed clusters for a grace period (make-before-break). */
  private retire(key: string, fresh: Map<string, TypeResources>): void {
    const clusters = fresh.get(TYPE_URL.cluster);
    const endpoints = fresh.get(TYPE_URL.endpoint);
    if (clusters && endpoints) {
      const merged = this.retirement.clusters(key, clusters, endpoints);
      fresh.set(TYPE_URL.cluster, merged.clusters);
      fresh.set(TYPE_URL.endpoint, merged.endpoints);
    } else if (endpoints) {
      fresh.set(TYPE_URL.endpoint, this.retirement.endpoints(key, endpoints));
    }
  }

  /**
   * Istio's incremental EDS push: rebuilds the CLAs of the changed services
   * only; every other CLA stays the same object with the same encoding.
   * false when it cannot (the full EDS build runs instead).
   */
  private incrementalEds(push: PushContext, model: ModelProxy, entry: CacheEntry, stale: NonNullable<CacheEntry['staleEds']>): boolean {
    if (!this.translator.translateEndpoints) return false;
    const t0 = performance.now();
    let out: TranslatedConfig;
    try {
      out = this.translator.translateEndpoints(push, model, stale.changed);
    } catch (err) {
      this.log.debug({ err, key: entry.key }, 'incremental EDS failed; rebuilding all endpoints');
      return false;
    }
    const merged = this.interner.internReplacing(TYPE_URL.endpoint, stale.resources, out.resources.get(TYPE_URL.endpoint) ?? [], (name) => {
      const host = clusterHostname(name);
      return host !== undefined && stale.changed.has(host);
    });
    if (!merged) return false;
    entry.types.set(TYPE_URL.endpoint, merged);
    entry.warnings = new Set([...entry.warnings, ...out.warnings]);
    entry.snapshots.clear();
    this.hooks.translated?.(performance.now() - t0, 1);
    return true;
  }

  private generate(proxy: ProxyInfo, changedTypes: ReadonlySet<string> | undefined): Snapshot {
    const generation = this.generation!;
    const model = this.modelProxy(proxy);
    const key = this.keyOf(generation, proxy);
    let entry = generation.cache.get(key);
    if (!entry) {
      entry = { key, types: new Map(), warnings: new Set(), snapshots: new Map() };
      generation.cache.set(key, entry);
    }
    const wanted = changedTypes ? SERVED_TYPES.filter((t) => changedTypes.has(t)) : SERVED_TYPES;
    const missing = wanted.filter((t) => !entry.types.has(t));
    // Clusters and their endpoints are built together (retired clusters keep their endpoints).
    if (missing.includes(TYPE_URL.cluster) && !missing.includes(TYPE_URL.endpoint) && !entry.types.has(TYPE_URL.endpoint)) missing.push(TYPE_URL.endpoint);
    this.stats[missing.length === 0 ? 'hits' : 'misses']++;
    this.hooks.cacheRead?.(missing.length === 0);
    const stale = entry.staleEds;
    if (stale && missing.includes(TYPE_URL.endpoint)) {
      entry.staleEds = undefined;
      if (!missing.includes(TYPE_URL.cluster) && !model.proxyless && this.incrementalEds(generation.push, model, entry, stale)) missing.splice(missing.indexOf(TYPE_URL.endpoint), 1);
    }
    if (missing.length > 0) {
      const t0 = performance.now();
      let out: TranslatedConfig;
      try {
        out = this.translator.translate(generation.push, model, new Set(missing));
      } catch (err) {
        this.hooks.translateFailed?.(proxy.id, err);
        throw err;
      }
      // Types translation built replace the entry's; the others stay the same objects.
      const fresh = new Map<string, TypeResources>();
      for (const t of missing) fresh.set(t, this.interner.intern(t, out.resources.get(t) ?? []));
      if (model.proxyless) this.retire(key, fresh);
      for (const [t, r] of fresh) entry.types.set(t, r);
      // Warnings cover what was built: all of it replaces, part of it adds.
      entry.warnings = missing.length === SERVED_TYPES.length ? new Set(out.warnings) : new Set([...entry.warnings, ...out.warnings]);
      entry.snapshots.clear();
      entry.warnings = new Set(out.warnings); // translation reports on everything it built
      this.hooks.translated?.(performance.now() - t0, missing.length);
      this.log.debug({ proxy: proxy.id, key, types: missing.length }, 'translated');
    }
    const id = wanted.join(',');
    let snapshot = entry.snapshots.get(id);
    if (!snapshot) {
      const built = new Map<string, TypeResources>();
      for (const t of wanted) built.set(t, entry.types.get(t)!);
      snapshot = built;
      entry.snapshots.set(id, snapshot);
    }
    return snapshot;
  }
}
