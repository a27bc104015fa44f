// The state every registry keeps, and the diff that turns a new state into
// events: services whose definition changed (or appeared/disappeared) give a
// `service` event; services whose endpoints alone changed give an `endpoint`
// event.
import { compareEndpoints, compareServices, type Service, type ServiceEndpoint } from '@sextant/pilot-model';
import type { Logger } from '@sextant/util';
import type { RegistryEvent, RegistryListener, ServiceRef } from './service-registry';

const refKey = (r: ServiceRef) => `${r.namespace}/${r.hostname}`;

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export class RegistryState {
  private servicesByKey = new Map<string, Service>();
  private endpointsByKey = new Map<string, ServiceEndpoint[]>();
  private serviceText = new Map<string, string>();
  private endpointText = new Map<string, string>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(
    private readonly registryId: string,
    private readonly logger?: Logger,
  ) {}

  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  services(): Service[] {
    return [...this.servicesByKey.values()].sort(compareServices);
  }

  endpoints(): ServiceEndpoint[] {
    return [...this.endpointsByKey.values()].flat();
  }

  endpointsOf(ref: ServiceRef): ServiceEndpoint[] {
    return this.endpointsByKey.get(refKey(ref)) ?? [];
  }

  /**
   * Replaces the whole state and emits what changed. Endpoints whose service
   * is not in `services` are dropped. Returns the events emitted.
   */
  replace(services: readonly Service[], endpoints: readonly ServiceEndpoint[]): RegistryEvent[] {
    const nextServices = new Map<string, Service>();
    for (const s of services) nextServices.set(refKey(s), s);
    const nextEndpoints = new Map<string, ServiceEndpoint[]>();
    for (const e of endpoints) {
      const k = refKey(e);
      if (!nextServices.has(k)) continue;
      nextEndpoints.set(k, [...(nextEndpoints.get(k) ?? []), e]);
    }
    for (const list of nextEndpoints.values()) list.sort(compareEndpoints);
    const nextServiceText = new Map<string, string>();
    const nextEndpointText = new Map<string, string>();
    for (const [k, s] of nextServices) nextServiceText.set(k, canonical(s));
    for (const [k, list] of nextEndpoints) nextEndpointText.set(k, canonical(list));

    const changedServices: ServiceRef[] = [];
    const changedEndpoints: ServiceRef[] = [];
    for (const k of new Set([...this.serviceText.keys(), ...nextServiceText.keys()])) {
      const ref = nextServices.get(k) ?? this.servicesByKey.get(k)!;
      const r = { hostname: ref.hostname, namespace: ref.namespace };
      if (this.serviceText.get(k) !== nextServiceText.get(k)) changedServices.push(r);
      else if ((this.endpointText.get(k) ?? '[]') !== (nextEndpointText.get(k) ?? '[]')) changedEndpoints.push(r);
    }
    this.servicesByKey = nextServices;
    this.endpointsByKey = nextEndpoints;
    this.serviceText = nextServiceText;
    this.endpointText = nextEndpointText;
    const events: RegistryEvent[] = [];
    if (changedServices.length > 0) events.push({ registry: this.registryId, kind: 'service', services: sortRefs(changedServices) });
    if (changedEndpoints.length > 0) events.push({ registry: this.registryId, kind: 'endpoint', services: sortRefs(changedEndpoints) });
    for (const ev of events) this.emit(ev);
    return events;
  }

  private emit(event: RegistryEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger?.error({ err, registry: this.registryId }, 'registry listener failed');
      }
    }
  }
}

function sortRefs(refs: ServiceRef[]): ServiceRef[] {
  return refs.sort((a, b) => refKey(a).localeCompare(refKey(b)));
}
