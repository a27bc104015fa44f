// An in-memory registry for tests and for wiring by hand (Istio's
// serviceregistry/memory): services and endpoints are set directly; every
// mutation emits the same events a real backend would.
import type { RegistryKind, Service, ServiceEndpoint } from '@sextant/pilot-model';
import { RegistryState } from './registry-state';
import type { RegistryListener, ServiceRef, ServiceRegistry } from './service-registry';

const keyOf = (r: ServiceRef) => `${r.namespace}/${r.hostname}`;

export class MemoryRegistry implements ServiceRegistry {
  readonly kind: RegistryKind = 'memory';
  readonly synced = true;
  private readonly state: RegistryState;
  private readonly svc = new Map<string, Service>();
  private readonly eps = new Map<string, ServiceEndpoint[]>();
  private batching = false;

  constructor(readonly id = 'memory') {
    this.state = new RegistryState(id);
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
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Applies several mutations and emits once at the end. */
  batch(fn: (r: this) => void): void {
    this.batching = true;
    try {
      fn(this);
    } finally {
      this.batching = false;
      this.commit();
    }
  }

  addService(service: Service, endpoints?: readonly ServiceEndpoint[]): this {
    this.svc.set(keyOf(service), service);
    if (endpoints) this.eps.set(keyOf(service), [...endpoints]);
    return this.commit();
  }

  removeService(ref: ServiceRef): this {
    this.svc.delete(keyOf(ref));
    this.eps.delete(keyOf(ref));
    return this.commit();
  }

  setEndpoints(ref: ServiceRef, endpoints: readonly ServiceEndpoint[]): this {
    this.eps.set(keyOf(ref), [...endpoints]);
    return this.commit();
  }

  addEndpoints(endpoints: readonly ServiceEndpoint[]): this {
    for (const e of endpoints) this.eps.set(keyOf(e), [...(this.eps.get(keyOf(e)) ?? []), e]);
    return this.commit();
  }

  /** Removes every endpoint at `address` (all services). */
  removeEndpointsAt(address: string): this {
    for (const [k, list] of this.eps) this.eps.set(k, list.filter((e) => e.address !== address));
    return this.commit();
  }

  /** Changes the health of every endpoint at `address`. */
  setHealth(address: string, health: ServiceEndpoint['health']): this {
    for (const [k, list] of this.eps) this.eps.set(k, list.map((e) => (e.address === address ? { ...e, health } : e)));
    return this.commit();
  }

  private commit(): this {
    if (!this.batching) this.state.replace([...this.svc.values()], [...this.eps.values()].flat());
    return this;
  }
}
