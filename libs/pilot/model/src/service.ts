// Services and their endpoints: what every registry produces and what
// translation reads. Shapes follow Istio's model.Service / IstioEndpoint.
import type { Labels } from './labels';
import type { Protocol } from './protocol';

/**
 * How clients find a service's endpoints (Istio's model.Resolution):
 * - STATIC: endpoints come from the registry (EDS);
 * - DNS: the proxy resolves the endpoint host names itself (STRICT_DNS);
 * - DNS_ROUND_ROBIN: one DNS name, connections spread by DNS (LOGICAL_DNS);
 * - NONE: forward to the address the client asked for (ORIGINAL_DST).
 */
export type Resolution = 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';

export interface ServicePort {
  /** Port name, e.g. `http`, `grpc-api`. */
  name: string;
  /** The service (VIP) port clients address. */
  port: number;
  protocol: Protocol;
  /** Where endpoints listen when no per-endpoint port says otherwise. */
  targetPort?: number;
}

/** Which registry a service came from (Istio: provider). */
export type RegistryKind = 'local' | 'serviceentry' | 'kubernetes' | 'memory' | (string & {});

export interface Service {
  /** Fully qualified host name, e.g. `reviews.default.svc.cluster.local`; may be a `*.wildcard` for ServiceEntries. */
  hostname: string;
  /** Namespace that owns the service (the ServiceEntry's namespace for SEs). */
  namespace: string;
  /** Short name (`reviews`) when the service has one (local and Kubernetes services). */
  name?: string;
  ports: readonly ServicePort[];
  /** Virtual IPs (cluster IP, ServiceEntry addresses, or auto-allocated from 240.240.0.0/16). */
  addresses: readonly string[];
  labels: Labels;
  /** Namespaces the service is visible to: `*` (all, the default), `.` (own), `~` (none) or names. */
  exportTo: readonly string[];
  resolution: Resolution;
  /** MESH_EXTERNAL ServiceEntries: no sidecar at the far end, no auto mTLS. */
  meshExternal: boolean;
  registry: RegistryKind;
  /** ServiceEntry.subjectAltNames, checked on TLS origination. */
  subjectAltNames?: readonly string[];
  /** Creation time (ms since epoch) used to break ties like Istio (oldest first). */
  createdAt?: number;
}

export type EndpointHealth = 'HEALTHY' | 'UNHEALTHY';

/** Istio's `security.istio.io/tlsMode`: `istio` when the endpoint has a sidecar accepting mTLS. */
export type TlsMode = 'istio' | 'disabled';

/** One address:port serving one port of one service (Istio's IstioEndpoint). */
export interface ServiceEndpoint {
  /** The service's host name. */
  hostname: string;
  /** The service's namespace. */
  namespace: string;
  /** Service port number this endpoint serves. */
  servicePort: number;
  /** Service port name. */
  servicePortName: string;
  /** IP address, or a DNS name for DNS-resolved ServiceEntries. */
  address: string;
  /** Port the endpoint listens on. */
  port: number;
  labels: Labels;
  serviceAccount: string;
  health: EndpointHealth;
  /** `region/zone/subzone` (any part may be empty). */
  locality?: string;
  /** Relative load-balancing weight (default 1). */
  weight?: number;
  tlsMode: TlsMode;
  /** Workload (instance) name, for metadata and debugging. */
  workload?: string;
  /** Namespace of the workload (may differ from the service's for ServiceEntry selectors). */
  workloadNamespace?: string;
}

/** The port of `service` with number `port`. */
export function servicePort(service: Service, port: number): ServicePort | undefined {
  return service.ports.find((p) => p.port === port);
}

/** Splits `region/zone/subzone` into its parts (missing parts are ''). */
export function parseLocality(locality: string | undefined): { region: string; zone: string; subZone: string } {
  const [region = '', zone = '', subZone = ''] = (locality ?? '').split('/');
  return { region, zone, subZone };
}

/** SPIFFE identity of a service account. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Compares services by hostname then namespace (the order of every listing). */
export function compareServices(a: Service, b: Service): number {
  return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

/** Compares endpoints by address then port then service port (stable output). */
export function compareEndpoints(a: ServiceEndpoint, b: ServiceEndpoint): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  if (a.port !== b.port) return a.port - b.port;
  return a.servicePort - b.servicePort;
}
