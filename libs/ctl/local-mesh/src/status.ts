// `sextant status`: what is running and whether each part is healthy,
// asked of the parts themselves (readyz, TCP), not taken from the state file.
import { canConnect } from '@sextant/util';
import { instanceHealthy } from './local-mesh';
import { isAlive, type MeshState } from './state';
import { COMPONENTS } from './components';

export interface MeshStatus {
  running: boolean;
  phase: MeshState['phase'] | 'stopped';
  startedAt?: string;
  stateDir: string;
  nats: { url: string; spawned: boolean; healthy: boolean } | null;
  components: { name: string; healthy: boolean; ready: boolean; pid: number | undefined; ports: Record<string, number>; urls: Record<string, string>; detail?: unknown; restarts: number; log: string }[];
  workloads: {
    name: string;
    service: string;
    namespace: string;
    serviceAccount: string;
    labels: Record<string, string>;
    instance: string;
    address: string;
    appAddress: string;
    ports: { name: string; port: number; protocol: string }[];
    healthy: boolean;
    pid: number | undefined;
    sidecarPid: number | undefined;
    sidecar: { outbound: number; inbound: number; admin: number } | null;
    log: string;
  }[];
  gateways: { name: string; address: string; http: string }[];
}

export async function meshStatus(state: MeshState | undefined, stateDir: string): Promise<MeshStatus> {
  if (!state || !isAlive(state.supervisorPid)) {
    return { running: false, phase: 'stopped', stateDir, nats: null, components: [], workloads: [], gateways: [] };
  }
  const nu = state.nats.url ? new URL(state.nats.url) : undefined;
  const natsHealthy = nu ? await canConnect(nu.hostname, Number(nu.port || 4222)) : false;
  const components = await Promise.all(
    state.components.map(async (c) => {
      let healthy = false;
      let ready = false;
      let detail: unknown;
      try {
        healthy = (await fetch(`http://${c.host}:${c.ports['admin']}/healthz`, { signal: AbortSignal.timeout(1_500) })).ok;
        const r = await fetch(`http://${c.host}:${c.ports['admin']}/readyz`, { signal: AbortSignal.timeout(1_500) });
        ready = r.ok;
        detail = ((await r.json()) as { checks?: unknown }).checks;
      } catch (err) {
        detail = (err as Error).message;
      }
      const def = COMPONENTS.find((d) => d.name === c.name);
      const urls: Record<string, string> = {};
      for (const s of def?.show ?? []) urls[s.label] = s.scheme === 'http' ? `http://${c.host}:${c.ports[s.port]}${s.path ?? ''}` : `${c.host}:${c.ports[s.port]}`;
      urls['admin'] = `http://${c.host}:${c.ports['admin']}`;
      return { name: c.name, healthy: healthy && ready, ready, pid: c.pid, ports: c.ports, urls, detail, restarts: c.restarts, log: c.log };
    }),
  );
  const workloads = await Promise.all(
    state.workloads.map(async (w) => {
      const { pid, log, sidecar, sidecarPid, ...rest } = w;
      return { ...rest, healthy: await instanceHealthy(w), pid, sidecarPid, sidecar, log };
    }),
  );
  return {
    running: true,
    phase: state.phase,
    startedAt: state.startedAt,
    stateDir,
    nats: { url: state.nats.url, spawned: state.nats.spawned, healthy: natsHealthy },
    components,
    workloads,
    gateways: state.gateways,
  };
}

export function allHealthy(s: MeshStatus): boolean {
  return s.running && !!s.nats?.healthy && s.components.every((c) => c.healthy) && s.workloads.every((w) => w.healthy);
}

/** A fixed-width table for people. */
export function formatStatus(s: MeshStatus): string {
  if (!s.running) return `No local mesh is running (state dir ${s.stateDir}). Start one with: ./bin/sextant up`;
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'DOWN');
  const rows: string[][] = [['COMPONENT', 'HEALTH', 'PID', 'ADDRESSES']];
  rows.push(['nats', mark(!!s.nats?.healthy), '', `${s.nats?.url ?? ''}${s.nats?.spawned ? ' (spawned)' : ''}`]);
  for (const c of s.components) rows.push([c.name, mark(c.healthy), String(c.pid ?? ''), Object.entries(c.urls).map(([k, v]) => `${k} ${v}`).join('  ')]);
  const wrows: string[][] = [['WORKLOAD INSTANCE', 'HEALTH', 'SERVICE', 'VERSION', 'ADDRESS', 'PORTS', 'URL']];
  for (const w of s.workloads)
    wrows.push([w.instance, mark(w.healthy), `${w.service}.${w.namespace}`, w.labels['version'] ?? '', w.address, w.ports.map((p) => `${p.port}/${p.protocol}`).join(','), workloadUrl(w)]);
  const gw = s.gateways.length ? s.gateways.map((g) => `  ${g.name}: ${g.http}`).join('\n') : '  (none yet)';
  return `${table(rows)}\n\n${table(wrows)}\n\nGateways:\n${gw}\n\nLogs: ${s.stateDir}/logs/   Stop: ./bin/sextant down`;
}

/** Where a person can look: the first HTTP port (Bookinfo's productpage at /productpage). */
function workloadUrl(w: MeshStatus['workloads'][number]): string {
  const http = w.ports.find((p) => p.protocol === 'HTTP' || p.protocol === 'HTTP2');
  if (!http) return '';
  return `http://${w.address}:${http.port}${w.service === 'productpage' ? '/productpage' : '/'}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
