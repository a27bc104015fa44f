// Keeps workload instances alive in the sextant_workloads bucket: puts each
// entry every WORKLOAD_REFRESH_MS with its current health; the bucket's TTL
// removes the entry of an instance whose owner stopped refreshing it.
import { BUCKETS, WORKLOAD_REFRESH_MS, jsonCodec, openBucket, type NatsLink } from '@sextant/nats';
import type { Logger } from '@sextant/util';
import { toWorkloadRecord, workloadKey, type WorkloadHealth, type WorkloadRecord } from './registry-entry';
import type { WorkloadIdentity } from './workload-env';

export interface AnnouncedWorkload {
  identity: WorkloadIdentity;
  health: () => Promise<WorkloadHealth>;
  sidecar?: WorkloadRecord['sidecar'];
}

export class WorkloadAnnouncer {
  private readonly entries = new Map<string, AnnouncedWorkload>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly nats: NatsLink,
    private readonly logger: Logger,
    private readonly refreshMs = WORKLOAD_REFRESH_MS,
  ) {}

  add(w: AnnouncedWorkload): void {
    this.entries.set(workloadKey(w.identity.namespace, w.identity.instance), w);
  }

  start(): void {
    const tick = () => {
      this.running = this.refresh().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.refreshMs);
      });
    };
    tick();
  }

  /** Puts every entry now; failures are logged and retried on the next tick. */
  async refresh(): Promise<void> {
    if (!this.nats.connected) return;
    try {
      const kv = await openBucket(this.nats.nc, BUCKETS.workloads);
      for (const [key, w] of this.entries) {
        const health = await w.health().catch(() => 'UNHEALTHY' as const);
        await kv.put(key, jsonCodec.encode(toWorkloadRecord(w.identity, health, w.sidecar)));
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'workload announcement failed; will retry');
    }
  }

  /** Stops refreshing and deletes the entries so peers drop them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (!this.nats.connected) return;
    try {
      const kv = await openBucket(this.nats.nc, BUCKETS.workloads);
      for (const key of this.entries.keys()) await kv.delete(key);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not remove workload entries');
    }
  }
}
