// Workload instances of the local mesh: their addresses, ports and health,
// and the service map apps use to find each other without a sidecar.
import { readFileSync } from 'node:fs';
import { canConnect } from '@sextant/util';
import type { WorkloadIdentity } from '@sextant/workloads';
import type { WorkloadInstanceState } from './state';
import type { WorkloadSpec } from './workloads-file';

export interface Instance {
  spec: WorkloadSpec;
  id: WorkloadIdentity;
  /** Where the app listens: its own address without a sidecar, a second ("loopback") address with one. */
  appAddress: string;
}

/** How long a restarting instance stays announced UNHEALTHY before it stops: Pilot's push reaches every peer well within it. */
export const ENDPOINT_DRAIN_MS = 2_000;

/** Where gateway addresses start (127.0.9.1). */
export const GATEWAY_ADDRESS_START = 9 * 256 + 1;

/** Where app addresses start (127.1.10.1): the workload's "loopback" when its sidecar owns 127.0.10.x. */
export const APP_ADDRESS_START = 65536 + 10 * 256 + 1;

/** A sidecar's ports on its workload's address (Istio's defaults). */
export const SIDECAR_PORTS = { outbound: 15001, inbound: 15006, admin: 15000, health: 15021 } as const;
export const SIDECAR_STATE = { outbound: SIDECAR_PORTS.outbound, inbound: SIDECAR_PORTS.inbound, admin: SIDECAR_PORTS.admin };

export async function sidecarReady(ws: WorkloadInstanceState): Promise<boolean> {
  if (!ws.sidecar) return true;
  try {
    return (await fetch(`http://${ws.address}:${ws.sidecar.admin}/ready`, { signal: AbortSignal.timeout(1_000) })).status === 200;
  } catch {
    return false;
  }
}

/** The app answers on its ports; with a sidecar, the sidecar is ready and answers on the workload's ports too. */
export async function instanceHealthy(ws: WorkloadInstanceState): Promise<boolean> {
  const app = await Promise.all(ws.ports.map((p) => canConnect(ws.appAddress, p.port)));
  if (!app.every(Boolean)) return false;
  if (!ws.sidecar) return true;
  if (!(await sidecarReady(ws))) return false;
  const front = await Promise.all(ws.ports.map((p) => canConnect(ws.address, p.port)));
  return front.every(Boolean);
}

/** host -> ["ip:port", ...] for every port of every instance, by short name, name.ns and FQDN. */
export function serviceMap(ids: WorkloadIdentity[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of ids) {
    const names = [id.service, `${id.service}.${id.namespace}`, `${id.service}.${id.namespace}.svc`, `${id.service}.${id.namespace}.svc.cluster.local`];
    for (const n of names) for (const p of id.ports) (out[n] ??= []).push(`${id.address}:${p.port}`);
  }
  return out;
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
