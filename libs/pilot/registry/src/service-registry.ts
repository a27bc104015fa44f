// The service registry interface (Istio's serviceregistry.Instance): each
// backend keeps services and endpoints and tells listeners what changed,
// distinguishing endpoint-only changes (EDS push) from service changes (full
// push).
import {
  configKey,
  fullPush,
  TriggerReason,
  type PushRequest,
  type RegistryKind,
  type Service,
  type ServiceEndpoint,
} from '@sextant/pilot-model';

export interface ServiceRef {
  hostname: string;
  namespace: string;
}

export interface RegistryEvent {
  /** Id of the registry that changed. */
  registry: string;
  /** `service`: definitions appeared, disappeared or changed; `endpoint`: only endpoints did. */
  kind: 'service' | 'endpoint';
  services: ServiceRef[];
}

export type RegistryListener = (event: RegistryEvent) => void;

export interface ServiceRegistry {
  readonly id: string;
  readonly kind: RegistryKind;
  /** true once the initial state has been read. */
  readonly synced: boolean;
  /** Services, sorted by hostname then namespace. */
  services(): Service[];
  /** Every endpoint of every service. */
  endpoints(): ServiceEndpoint[];
  /** Endpoints of one service (all ports). */
  endpointsOf(ref: ServiceRef): ServiceEndpoint[];
  onChange(listener: RegistryListener): () => void;
  /** Starts watching; resolves after the initial sync. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The push a registry event asks for: EDS-only for endpoint events, full for service events. */
export function pushRequestFor(event: RegistryEvent, start = Date.now()): PushRequest {
  const keys = event.services.map((s) => configKey('Service', s.namespace, s.hostname));
  if (event.kind === 'endpoint') {
    return { full: false, configsUpdated: new Set(keys), reason: { [TriggerReason.EndpointUpdate]: 1 }, start };
  }
  return fullPush(TriggerReason.ServiceUpdate, keys, start);
}
