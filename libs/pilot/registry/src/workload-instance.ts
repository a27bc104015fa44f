// A workload instance independent of where it came from (a local KV record, a
// Kubernetes pod, a WorkloadEntry): what ServiceEntry workloadSelectors select.
import type { EndpointHealth, TlsMode } from '@sextant/pilot-model';

export interface WorkloadInstance {
  name: string;
  namespace: string;
  address: string;
  labels: Readonly<Record<string, string>>;
  serviceAccount: string;
  /** Named ports the workload listens on (name -> number), when known. */
  ports: Readonly<Record<string, number>>;
  health: EndpointHealth;
  tlsMode: TlsMode;
  locality?: string;
  weight?: number;
}

/** A source of workload instances that says when they change. */
export interface WorkloadSource {
  workloadInstances(): WorkloadInstance[];
  /** Calls `listener` after the instances changed; returns an unsubscribe function. */
  onWorkloadsChange(listener: () => void): () => void;
}
