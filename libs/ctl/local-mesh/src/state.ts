// The local mesh's state file (.sextant/mesh.json): written by the
// supervisor, read by `sextant status` and `sextant down`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadPort } from '@sextant/workloads';

export interface ComponentState {
  name: string;
  pid: number | undefined;
  host: string;
  ports: Record<string, number>;
  log: string;
  restarts: number;
}

export interface WorkloadInstanceState {
  name: string;
  service: string;
  namespace: string;
  serviceAccount: string;
  labels: Record<string, string>;
  instance: string;
  /** The instance's address: what peers call (its sidecar's, when it has one). */
  address: string;
  /** Where the app itself listens (the same as address without a sidecar). */
  appAddress: string;
  ports: WorkloadPort[];
  pid: number | undefined;
  sidecarPid: number | undefined;
  log: string;
  sidecar: { outbound: number; inbound: number; admin: number } | null;
}

export interface MeshState {
  version: 1;
  phase: 'starting' | 'running' | 'stopping' | 'failed';
  error?: string;
  supervisorPid: number;
  startedAt: string;
  stateDir: string;
  nats: { url: string; spawned: boolean; pid: number | undefined };
  components: ComponentState[];
  workloads: WorkloadInstanceState[];
  /** Gateways: their own address; http is the URL of the conventional HTTP port (8080) once a Gateway opens it. */
  gateways: { name: string; address: string; http: string }[];
}

export const stateFile = (stateDir: string) => join(stateDir, 'mesh.json');

export function writeState(stateDir: string, state: MeshState): void {
  mkdirSync(stateDir, { recursive: true });
  const tmp = `${stateFile(stateDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, stateFile(stateDir));
}

export function readState(stateDir: string): MeshState | undefined {
  const f = stateFile(stateDir);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as MeshState;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running mesh, if its supervisor is alive. */
export function runningMesh(stateDir: string): MeshState | undefined {
  const s = readState(stateDir);
  return s && isAlive(s.supervisorPid) ? s : undefined;
}
