// Several registries as one (Istio's serviceregistry/aggregate): services
// from every member, the first member to define a hostname in a namespace
// wins its definition; endpoints are the union of every member's endpoints
// for that service. Member events pass through, tagged with the member id.
import { compareServices, type RegistryKind, type Service, type ServiceEndpoint } from '@sextant/pilot-model';
import type { RegistryListener, ServiceRef, ServiceRegistry } from './service-registry';

export class AggregateRegistry implements ServiceRegistry {
  readonly kind: RegistryKind = 'aggregate';
  private readonly listeners = new Set<RegistryListener>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly members: readonly ServiceRegistry[],
    readonly id = 'aggregate',
  ) {
    for (const m of members) this.unsubscribe.push(m.onChange((e) => this.listeners.forEach((l) => l(e))));
  }

  get synced(): boolean {
    return this.members.every((m) => m.synced);
  }

  registries(): readonly ServiceRegistry[] {
    return this.members;
  }

  services(): Service[] {
    const seen = new Map<string, Service>();
    for (const m of this.members) {
      for (const s of m.services()) {
        const k = `${s.namespace}/${s.hostname}`;
        if (!seen.has(k)) seen.set(k, s);
      }
    }
    return [...seen.values()].sort(compareServices);
  }

  endpoints(): ServiceEndpoint[] {
    const defined = new Set(this.services().map((s) => `${s.namespace}/${s.hostname}`));
    return this.members.flatMap((m) => m.endpoints()).filter((e) => defined.has(`${e.namespace}/${e.hostname}`));
  }

  endpointsOf(ref: ServiceRef): ServiceEndpoint[] {
    return this.members.flatMap((m) => m.endpointsOf(ref));
  }

  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => m.start()));
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    await Promise.all(this.members.map((m) => m.stop()));
  }
}
