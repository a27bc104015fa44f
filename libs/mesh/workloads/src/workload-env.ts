// The environment contract between the local runner (or a container entry
// point) and a workload process. A workload reads who it is and where to
// listen from these variables; nothing else about the mesh is required.
export const WORKLOAD_ENV = {
  /** Workload name from the workloads file, e.g. reviews-v2. */
  name: 'SEXTANT_WORKLOAD',
  /** Service the instance belongs to, e.g. reviews. */
  service: 'SEXTANT_SERVICE',
  namespace: 'SEXTANT_NAMESPACE',
  serviceAccount: 'SEXTANT_SERVICE_ACCOUNT',
  /** Instance id, unique in the mesh, e.g. reviews-v2-0. */
  instance: 'SEXTANT_INSTANCE',
  /** labels.version, or "" when unset. */
  version: 'SEXTANT_VERSION',
  /** JSON object of labels. */
  labels: 'SEXTANT_LABELS',
  /** The IP this instance binds every port on (its own loopback address). */
  address: 'SEXTANT_ADDRESS',
  /** JSON array of {name, port, protocol}. */
  ports: 'SEXTANT_PORTS',
  /**
   * Sidecars only: where the app listens when the sidecar owns the workload
   * address (explicit capture: the workload's "loopback", a second address).
   */
  appAddress: 'SEXTANT_APP_ADDRESS',
  /** When set (http://ip:port), outbound HTTP goes through this sidecar as an HTTP proxy. */
  outboundProxy: 'SEXTANT_OUTBOUND_PROXY',
  /**
   * Without a sidecar: JSON object host -> ["ip:port", ...] the runner knows,
   * keyed by short name and FQDN, so samples can call each other directly.
   */
  services: 'SEXTANT_SERVICES',
} as const;

export type PortProtocol = 'HTTP' | 'HTTP2' | 'GRPC' | 'TCP';
export const PORT_PROTOCOLS: readonly PortProtocol[] = ['HTTP', 'HTTP2', 'GRPC', 'TCP'];

export interface WorkloadPort {
  name: string;
  port: number;
  protocol: PortProtocol;
}

export interface WorkloadIdentity {
  name: string;
  service: string;
  namespace: string;
  serviceAccount: string;
  instance: string;
  version: string;
  labels: Record<string, string>;
  address: string;
  ports: WorkloadPort[];
}

/** Reads the identity from the environment, with explicit defaults for running by hand. */
export function workloadFromEnv(env: Record<string, string | undefined> = process.env): WorkloadIdentity {
  const labels = env[WORKLOAD_ENV.labels] ? (JSON.parse(env[WORKLOAD_ENV.labels] as string) as Record<string, string>) : {};
  const ports = env[WORKLOAD_ENV.ports] ? (JSON.parse(env[WORKLOAD_ENV.ports] as string) as WorkloadPort[]) : [];
  const service = env[WORKLOAD_ENV.service] ?? 'unknown';
  return {
    name: env[WORKLOAD_ENV.name] ?? service,
    service,
    namespace: env[WORKLOAD_ENV.namespace] ?? 'default',
    serviceAccount: env[WORKLOAD_ENV.serviceAccount] ?? 'default',
    instance: env[WORKLOAD_ENV.instance] ?? `${service}-0`,
    version: env[WORKLOAD_ENV.version] ?? labels['version'] ?? '',
    labels,
    address: env[WORKLOAD_ENV.address] ?? '127.0.0.1',
    ports,
  };
}

export function workloadToEnv(w: WorkloadIdentity): Record<string, string> {
  return {
    [WORKLOAD_ENV.name]: w.name,
    [WORKLOAD_ENV.service]: w.service,
    [WORKLOAD_ENV.namespace]: w.namespace,
    [WORKLOAD_ENV.serviceAccount]: w.serviceAccount,
    [WORKLOAD_ENV.instance]: w.instance,
    [WORKLOAD_ENV.version]: w.version,
    [WORKLOAD_ENV.labels]: JSON.stringify(w.labels),
    [WORKLOAD_ENV.address]: w.address,
    [WORKLOAD_ENV.ports]: JSON.stringify(w.ports),
  };
}
