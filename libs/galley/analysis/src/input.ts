// What analysis reads: Istio resources (with where each came from) and,
// when known, the service registry (services and workload instances) and the
// names of the secrets gateways may use.
import type { IstioResource, Resource } from '@sextant/config-model';

/** A resource and where it was read from (a `ValidatedDocument` of @sextant/validation fits). */
export interface LocatedResource<R extends Resource = IstioResource> {
  resource: R;
  file?: string;
  index?: number;
}

export interface PortInfo {
  port: number;
  name?: string;
  /** HTTP, HTTP2, GRPC, TCP, HTTPS, TLS... (Istio's protocol names); absent when unknown. */
  protocol?: string;
}

/** A service of the registry (Kubernetes Service, or a service the local workloads announce). */
export interface ServiceInfo {
  name: string;
  namespace: string;
  /** Fully qualified host; default `<name>.<namespace>.svc.<domainSuffix>`. */
  hostname?: string;
  ports: PortInfo[];
  /**
   * Kubernetes-style selector: the service's instances are the workloads of
   * its namespace with these labels. Absent: its instances are the workloads
   * whose `service` names it (the local registry's way).
   */
  selector?: Record<string, string>;
  /** Namespaces that see the service (`networking.istio.io/exportTo`); absent or `*`: all. */
  exportTo?: string[];
}

/** A workload instance (pod, local workload instance, VM). */
export interface WorkloadInfo {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Ports it serves; absent when unknown (port checks then pass). */
  ports?: PortInfo[];
  serviceAccount?: string;
  /** The service it announced itself for (local registry records). */
  service?: string;
}

export interface AnalysisInput {
  resources: readonly (IstioResource | LocatedResource)[];
  /** The registry's services; absent when unknown (analyzers that need them are skipped). */
  services?: readonly ServiceInfo[];
  /** The registry's workload instances; absent when unknown (analyzers that need them are skipped). */
  workloads?: readonly WorkloadInfo[];
  /**
   * Secrets gateways may name in `credentialName`: `namespace/name`, or a bare
   * `name` for any namespace. Absent when unknown (the secret check is skipped).
   */
  secrets?: readonly string[];
}

export function isLocated(r: IstioResource | LocatedResource): r is LocatedResource {
  return (r as LocatedResource).resource !== undefined && (r as IstioResource).kind === undefined;
}

export function locate(r: IstioResource | LocatedResource): LocatedResource {
  return isLocated(r) ? r : { resource: r };
}
