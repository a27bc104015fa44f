// The ServiceEntry backend (Istio's serviceregistry/serviceentry): services
// from ServiceEntry resources, endpoints from their inline endpoints, from
// WorkloadEntries and from workloads of other registries their
// workloadSelector picks. Config arrives through update(); workloads through
// the sources given at construction.
import type { IstioResource, ServiceEntry, WorkloadEntry } from '@sextant/config-model';
import type { RegistryKind, Service, ServiceEndpoint } from '@sextant/pilot-model';
import type { Logger } from '@sextant/util';
import { RegistryState } from './registry-state';
import { serviceEntryServices } from './serviceentry-convert';
import type { RegistryListener, ServiceRef, ServiceRegistry } from './service-registry';
import { VipAllocator } from './vip-allocator';
import type { WorkloadSource } from './workload-instance';

export interface ServiceEntryRegistryOptions {
  logger?: Logger;
  vips?: VipAllocator;
  /** Registries whose workloads ServiceEntry workloadSelectors may select. */
  workloadSources?: readonly WorkloadSource[];
  id?: string;
}

export class ServiceEntryRegistry implements ServiceRegistry {
  readonly kind: RegistryKind = 'serviceentry';
  readonly id: string;
  readonly synced = true;
  private readonly state: RegistryState;
  private readonly vips: VipAllocator;
  private entries: ServiceEntry[] = [];
  private workloadEntries: WorkloadEntry[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly owned = new Set<string>();

  constructor(private readonly opts: ServiceEntryRegistryOptions = {}) {
    this.id = opts.id ?? 'serviceentry';
    this.state = new RegistryState(this.id, opts.logger);
    this.vips = opts.vips ?? new VipAllocator();
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

  async start(): Promise<void> {
    for (const src of this.opts.workloadSources ?? []) this.unsubscribe.push(src.onWorkloadsChange(() => this.recompute()));
    this.recompute();
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Replaces the configuration this registry reads (ServiceEntry and WorkloadEntry; other kinds are ignored). */
  update(configs: readonly IstioResource[]): void {
    this.entries = configs.filter((c): c is ServiceEntry => c.kind === 'ServiceEntry');
    this.workloadEntries = configs.filter((c): c is WorkloadEntry => c.kind === 'WorkloadEntry');
    this.recompute();
  }

  private recompute(): void {
    const workloads = (this.opts.workloadSources ?? []).flatMap((s) => s.workloadInstances());
    const { services, endpoints } = serviceEntryServices(this.entries, this.workloadEntries, workloads, this.vips);
    const live = new Set(services.map((s) => s.hostname));
    for (const h of this.owned) {
      if (!live.has(h)) {
        this.vips.release(h);
        this.owned.delete(h);
      }
    }
    for (const s of services) if (s.addresses.length > 0 && this.vips.lookup(s.hostname) === s.addresses[0]) this.owned.add(s.hostname);
    this.state.replace(services, endpoints);
  }
}
