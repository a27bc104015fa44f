// The local backend: workload instances announced in the NATS KV bucket
// `sextant_workloads`. It watches the bucket; a put adds or updates an
// instance, a delete or purge removes it, and an entry older than the
// bucket's TTL is dropped by a sweep (NATS removes expired entries without
// telling watchers), so an instance whose owner stopped refreshing it
// disappears within seconds.
import { BUCKETS, openBucket, type KV, type NatsLink } from '@sextant/nats';
import type { RegistryKind, Service, ServiceEndpoint } from '@sextant/pilot-model';
import type { Logger } from '@sextant/util';
import { parseWorkloadRecord, type WorkloadRecord } from '@sextant/workloads';
import { localServices } from './local-convert';
import { RegistryState } from './registry-state';
import type { RegistryListener, ServiceRef, ServiceRegistry } from './service-registry';
import { VipAllocator } from './vip-allocator';
import type { WorkloadInstance, WorkloadSource } from './workload-instance';

export interface LocalRegistryOptions {
  logger: Logger;
  /** Connection to use; the registry opens `sextant_workloads` on it. */
  link?: NatsLink;
  /** Opens the bucket instead (tests: a bucket of your own with a short TTL). */
  openKv?: () => Promise<KV>;
  domainSuffix?: string;
  /** Shared with other registries so auto-allocated VIPs never collide. */
  vips?: VipAllocator;
  /** Entry lifetime; default: the bucket's TTL. */
  ttlMs?: number;
  /** How often expired entries are swept (default 1000 ms). */
  sweepIntervalMs?: number;
  /** Pause before watching again after the watch ends (default 1000 ms). */
  retryMs?: number;
  id?: string;
}

interface Held {
  record: WorkloadRecord;
  /** When the entry was written (server time, ms). */
  writtenAt: number;
}

export class LocalRegistry implements ServiceRegistry, WorkloadSource {
  readonly kind: RegistryKind = 'local';
  readonly id: string;
  private readonly state: RegistryState;
  private readonly log: Logger;
  private readonly vips: VipAllocator;
  private readonly domainSuffix: string;
  private readonly held = new Map<string, Held>();
  private kv: KV | undefined;
  private ttlMs = 0;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private stopWatch: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private recomputeQueued = false;
  private isSynced = false;

  constructor(private readonly opts: LocalRegistryOptions) {
    this.id = opts.id ?? 'local';
    this.log = opts.logger.child({ scope: 'registry-local' });
    this.state = new RegistryState(this.id, this.log);
    this.vips = opts.vips ?? new VipAllocator();
    this.domainSuffix = opts.domainSuffix ?? 'cluster.local';
  }

  get synced(): boolean {
    return this.isSynced;
  }
  services(): Service[] {
    return this.state.services();
  }
  endpoints(): ServiceEndpoint[] {
    return this.state.endpoints();
  }
  endpointsOf(ref: ServiceRef): ServiceEndpoint[] {
    return this.state.endpointsOf(ref);
  }
  onChange(listener: RegistryListener): () => void {
    return this.state.onChange(listener);
  }

  /** The announced instances (for ServiceEntry workloadSelectors). */
  workloadInstances(): WorkloadInstance[] {
    return [...this.held.values()].map(({ record: r }) => ({
      name: r.instance,
      namespace: r.namespace,
      address: r.address,
      labels: r.labels,
      serviceAccount: r.serviceAccount,
      ports: Object.fromEntries(r.ports.map((p) => [p.name, p.port])),
      health: r.health,
      tlsMode: r.sidecar ? 'istio' : 'disabled',
    }));
  }

  onWorkloadsChange(listener: () => void): () => void {
    return this.state.onChange(() => listener());
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.kv = await this.open();
    const status = await this.kv.status();
    this.ttlMs = this.opts.ttlMs ?? status.ttl;
    let markSynced!: () => void;
    const synced = new Promise<void>((r) => (markSynced = r));
    this.loop = this.watchLoop(status.values === 0, () => {
      if (!this.isSynced) {
        this.isSynced = true;
        this.recompute();
        markSynced();
      }
    });
    if (this.ttlMs > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), this.opts.sweepIntervalMs ?? 1000);
      this.sweepTimer.unref?.();
    }
    await synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.stopWatch?.();
    await this.loop?.catch(() => undefined);
  }

  private async open(): Promise<KV> {
    if (this.opts.openKv) return this.opts.openKv();
    if (!this.opts.link) throw new TypeError('LocalRegistry needs a NatsLink or openKv');
    await this.opts.link.ready();
    return openBucket(this.opts.link.nc, BUCKETS.workloads);
  }

  private async watchLoop(emptyAtStart: boolean, onSynced: () => void): Promise<void> {
    let first = true;
    while (!this.stopped) {
      try {
        const iter = await this.kv!.watch();
        this.stopWatch = () => iter.stop();
        if (first && emptyAtStart) onSynced();
        // Whatever arrives before the initial values end replaces what we held (after a reconnect).
        const seen = new Set<string>();
        let initial = !(first && emptyAtStart);
        const fallback = setTimeout(() => onSynced(), 3000);
        for await (const e of iter) {
          if (this.stopped) break;
          if (initial) seen.add(e.key);
          this.apply(e.key, e.operation, e.value, e.created.getTime());
          if (initial && (e.delta === 0 || e.isUpdate)) {
            initial = false;
            for (const k of [...this.held.keys()]) if (!seen.has(k)) this.held.delete(k);
            onSynced();
          }
          this.scheduleRecompute();
        }
        clearTimeout(fallback);
      } catch (err) {
        if (!this.stopped) this.log.warn({ err }, 'workloads watch failed; watching again');
      }
      first = false;
      if (!this.stopped) await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 1000));
    }
  }

  private apply(key: string, op: 'PUT' | 'DEL' | 'PURGE', value: Uint8Array, writtenAt: number): void {
    if (op !== 'PUT') {
      this.held.delete(key);
      return;
    }
    const record = parseWorkloadRecord(value);
    if (!record) {
      this.log.warn({ key }, 'skipping a workload entry of an unknown version or shape');
      this.held.delete(key);
      return;
    }
    this.held.set(key, { record, writtenAt: Math.min(writtenAt, Date.now()) });
  }

  private sweep(): void {
    const cutoff = Date.now() - this.ttlMs;
    let removed = 0;
    for (const [k, h] of this.held) {
      if (h.writtenAt <= cutoff) {
        this.held.delete(k);
        removed++;
      }
    }
    if (removed > 0) {
      this.log.info({ removed }, 'workload entries expired');
      this.recompute();
    }
  }

  private scheduleRecompute(): void {
    if (this.recomputeQueued || !this.isSynced) return;
    this.recomputeQueued = true;
    setImmediate(() => {
      this.recomputeQueued = false;
      this.recompute();
    });
  }

  private recompute(): void {
    const records = [...this.held.values()].map((h) => h.record);
    const { services, endpoints } = localServices(records, this.domainSuffix, this.vips);
    const live = new Set(services.map((s) => s.hostname));
    for (const s of this.state.services()) if (!live.has(s.hostname)) this.vips.release(s.hostname);
    this.state.replace(services, endpoints);
  }
}
