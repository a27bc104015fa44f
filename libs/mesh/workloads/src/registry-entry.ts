// The sextant_workloads KV entry: one workload instance announced off
// Kubernetes. Versioned payload; readers skip versions they do not know.
import { encodeKey } from '@sextant/util';
import type { WorkloadIdentity, WorkloadPort } from './workload-env';

export const WORKLOAD_RECORD_VERSION = 1;

export type WorkloadHealth = 'HEALTHY' | 'UNHEALTHY';

export interface WorkloadRecord {
  v: typeof WORKLOAD_RECORD_VERSION;
  name: string;
  service: string;
  namespace: string;
  serviceAccount: string;
  instance: string;
  labels: Record<string, string>;
  address: string;
  ports: WorkloadPort[];
  health: WorkloadHealth;
  /** Sidecar ports once the instance has a proxy. */
  sidecar?: { outbound: number; inbound: number; admin: number };
  updatedAt: string;
}

/** Key in the workloads bucket: <namespace>.<instance>, each token encoded. */
export function workloadKey(namespace: string, instance: string): string {
  return encodeKey([namespace, instance]);
}

export function toWorkloadRecord(w: WorkloadIdentity, health: WorkloadHealth, sidecar?: WorkloadRecord['sidecar']): WorkloadRecord {
  return {
    v: WORKLOAD_RECORD_VERSION,
    name: w.name,
    service: w.service,
    namespace: w.namespace,
    serviceAccount: w.serviceAccount,
    instance: w.instance,
    labels: w.labels,
    address: w.address,
    ports: w.ports,
    health,
    ...(sidecar ? { sidecar } : {}),
    updatedAt: new Date().toISOString(),
  };
}

export function parseWorkloadRecord(data: Uint8Array): WorkloadRecord | undefined {
  try {
    const rec = JSON.parse(new TextDecoder().decode(data)) as WorkloadRecord;
    return rec.v === WORKLOAD_RECORD_VERSION ? rec : undefined;
  } catch {
    return undefined;
  }
}
