#!/usr/bin/env -S npx tsx --tsconfig tsconfig.base.json
// Pilot scale benchmark: a mesh of 1000 services (ServiceEntries with two
// endpoints each, 10% with a DestinationRule and a VirtualService) and 2000
// simulated Envoy sidecars (a separate process of raw ADS streams that ACK
// like Envoy: SotW, pilot-clients.ts, as Istio's sidecars speak it (the
// default); or Delta with VHDS, pilot-delta-clients.ts, as Sextant's do). Measures, for a VirtualService change and
// for an endpoint change (one ServiceEntry endpoint moves), the time from the
// write to the config bucket to each sidecar's last ACK
// (p50/p99/max over all sidecars), Pilot's RSS and CPU; next to DESIGN.md §6
// (p99 <= 1 s, RSS <= 500 MB) and istiod's published figure. Two meshes:
// namespaces scoped by Sidecar resources, and the full mesh (every sidecar
// sees every service).
//
//   node tools/build.mjs pilot
//   npx tsx --tsconfig tsconfig.base.json tools/bench/pilot-scale.ts [--protocol sotw|delta|delta-novhds] [--compare-protocol P [--compare-scenarios full]] [--baseline-protocol P] [--services 1000] [--clients 2000] [--changes 5] [--endpoint-changes 5] [--out docs/benchmarks/pilot.md] [--cpu-prof DIR] [--baseline OTHER/main.js] [--pilot-flags "NODE FLAGS"]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { Resource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import { BUCKETS, openBucket } from '@sextant/nats';
import { freePort, spawnNatsServer, waitFor } from '@sextant/util';
import { PILOT_MALLOC_ARENA_MAX } from '../../libs/ctl/local-mesh/src/proxy-flags';
import { updatePage } from './pilot-scale-report';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const SERVICES = Number(arg('services', '1000'));
const CLIENTS = Number(arg('clients', '2000'));
const NAMESPACES = Number(arg('namespaces', '10'));
const CHANGES = Number(arg('changes', '5'));
/** Endpoint changes after the VirtualService changes (a ServiceEntry endpoint moves). */
const ENDPOINT_CHANGES = Number(arg('endpoint-changes', String(CHANGES)));
const OUT = resolve(root, arg('out', 'docs/benchmarks/pilot.md'));
/** scoped: each namespace's Sidecar limits egress to its own namespace and `common`; full: every sidecar sees every service. */
type Scenario = 'scoped' | 'full';
const SCENARIOS: Scenario[] = arg('scenario', 'both') === 'both' ? ['scoped', 'full'] : [arg('scenario', 'scoped') as Scenario];
/** A Pilot bundle to run first in each scenario, for a before/after comparison in one run (e.g. a build of an earlier commit). */
const BASELINE = argv.includes('--baseline') ? resolve(arg('baseline', '')) : undefined;
const BASELINE_LABEL_ARG = argv.includes('--baseline-label') ? arg('baseline-label', '') : undefined;
/** Node flags for the Pilot processes (both bundles), e.g. "--max-old-space-size=256". */
const PILOT_FLAGS = arg('pilot-flags', '').split(' ').filter(Boolean);
/** Node flags for the baseline Pilot alone (default: --pilot-flags); e.g. the same bundle with and without a V8 flag. */
const BASELINE_FLAGS = argv.includes('--baseline-pilot-flags') ? arg('baseline-pilot-flags', '').split(' ').filter(Boolean) : PILOT_FLAGS;
/** How the simulated sidecars speak ADS: sotw (pilot-clients.ts), delta (pilot-delta-clients.ts, with VHDS), delta-novhds (delta, whole route tables). */
type Protocol = 'sotw' | 'delta' | 'delta-novhds';
const PROTOCOL = arg('protocol', 'delta') as Protocol;
/**
 * --compare-protocol P: the scenarios named by --compare-scenarios (default: full) run first with the
 * clients speaking P, on the same bundle (or on --baseline's), so the page shows two protocols side by side.
 */
const COMPARE_PROTOCOL = argv.includes('--compare-protocol') ? (arg('compare-protocol', '') as Protocol) : undefined;
const COMPARE_SCENARIOS = arg('compare-scenarios', 'full').split(',');
/** The baseline run's client protocol (default: --compare-protocol, else --protocol). */
const BASELINE_PROTOCOL = arg('baseline-protocol', COMPARE_PROTOCOL ?? PROTOCOL) as Protocol;
const PROTOCOL_NAMES: Record<Protocol, string> = { sotw: 'SotW', delta: 'Delta+VHDS', 'delta-novhds': 'Delta' };
for (const p of [PROTOCOL, BASELINE_PROTOCOL]) if (!['sotw', 'delta', 'delta-novhds'].includes(p)) throw new Error(`--protocol must be sotw, delta or delta-novhds, got ${p}`);
const CPU_PROF = argv.includes('--cpu-prof') ? resolve(arg('cpu-prof', join(tmpdir(), 'pilot-prof'))) : undefined;
/** Pilot's log (warnings and errors) of the last scenario run. */
const PILOT_LOG = resolve(arg('pilot-log', join(tmpdir(), 'pilot-scale-pilot.log')));
const ncpu = cpus().length;
const canPin = ncpu > 1 && spawnSync('taskset', ['-V']).status === 0;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
};
const memMb = (pid: number, field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[pilot-scale] ${msg}\n`);

// ---- the mesh ------------------------------------------------------------

/** The mesh of a scenario: services 0..common-1 live in `common` (scoped only), the rest spread over ns-0..ns-N. */
function mesh(scenario: Scenario) {
  const common = scenario === 'scoped' ? Math.round(SERVICES / 20) : 0;
  const ns = (i: number) => (i < common ? 'common' : `ns-${i % NAMESPACES}`);
  const host = (i: number) => `svc-${i}.${ns(i)}.svc.cluster.local`;
  const res = (kind: string, name: string, namespace: string, spec: object): Resource => ({ apiVersion: 'networking.istio.io/v1', kind, metadata: { name, namespace }, spec }) as Resource;
  /** Service i; `moved` gives its second endpoint another address (the benchmark's endpoint change). */
  const serviceEntry = (i: number, moved = false): Resource => {
    const a = 10 + Math.floor(i / 250);
    return res('ServiceEntry', `svc-${i}`, ns(i), {
      hosts: [host(i)],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
      endpoints: [
        { address: `10.${a}.${i % 250}.1`, labels: { app: `svc-${i}`, version: 'v1' } },
        { address: `10.${a}.${i % 250}.${moved ? 3 : 2}`, labels: { app: `svc-${i}`, version: 'v2' } },
      ],
    });
  };
  const destinationRule = (i: number) =>
    res('DestinationRule', `svc-${i}`, ns(i), { host: host(i), subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
  /** The VirtualService of service i (0 is the one the benchmark changes: in `common` when scoped, so every sidecar sees it). */
  const virtualService = (i: number, v1: number) =>
    res('VirtualService', `svc-${i}`, ns(i), {
      hosts: [host(i)],
      http: [
        { match: [{ headers: { 'x-canary': { exact: 'yes' } } }], route: [{ destination: { host: host(i), subset: 'v2' } }] },
        { route: [{ destination: { host: host(i), subset: 'v1' }, weight: v1 }, { destination: { host: host(i), subset: 'v2' }, weight: 100 - v1 }] },
      ],
    });
  const docs: Resource[] = [];
  for (let i = 0; i < SERVICES; i++) {
    docs.push(serviceEntry(i));
    if (i % 10 === 0) docs.push(destinationRule(i), virtualService(i, 90));
  }
  if (scenario === 'scoped') for (let n = 0; n < NAMESPACES; n++) docs.push(res('Sidecar', 'default', `ns-${n}`, { egress: [{ hosts: ['./*', 'common/*'] }] }));
  return { docs, virtualService, serviceEntry, common };
}

// ---- run -----------------------------------------------------------------

interface StreamReport {
  lastAckAt: number;
  responses: number;
  types: Record<string, number>;
}

/** vs: a VirtualService changes (RDS to every sidecar); endpoint: a ServiceEntry's endpoint moves (EDS). */
type ChangeKind = 'vs' | 'endpoint';

interface Run {
  kind: ChangeKind;
  p50: number;
  p99: number;
  max: number;
  cpu: number;
  clientCpu: number;
  responses: number;
  types: Record<string, number>;
  latencies?: number[];
}

/** p50/p99/max over every sidecar and change of one kind, and Pilot CPU per change (keys prefixed, e.g. epP99). */
function kindSummary(runs: Run[], kind: ChangeKind, prefix: string): Record<string, number> {
  const of = runs.filter((r) => r.kind === kind);
  if (of.length === 0) return {};
  const all = of.flatMap((r) => r.latencies ?? []).sort((a, b) => a - b);
  const key = (k: string) => (prefix ? `${prefix}${k[0]!.toUpperCase()}${k.slice(1)}` : k);
  return { [key('p50')]: pct(all, 50), [key('p99')]: pct(all, 99), [key('max')]: all[all.length - 1]!, [key('cpuPerChange')]: of.reduce((n, r) => n + r.cpu, 0) / of.length };
}

export interface ScenarioResult {
  scenario: Scenario;
  protocol: Protocol;
  summary: Record<string, number>;
  runs: Run[];
  /** The same scenario with the --baseline bundle, run just before. */
  baseline?: { protocol: Protocol; summary: Record<string, number>; runs: Run[] };
}

async function runScenario(scenario: Scenario, bundle: string, flags: string[] = PILOT_FLAGS, protocol: Protocol = PROTOCOL): Promise<ScenarioResult> {
  const { docs, virtualService, serviceEntry } = mesh(scenario);
  if (!existsSync(bundle)) throw new Error(`no Pilot bundle at ${bundle} (build Pilot first: node tools/build.mjs pilot)`);
  const loadStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'pilot-scale-'));
  const nats = await spawnNatsServer({ dataDir: join(dir, 'nats') });
  const nc = await connect({ servers: nats.url });
  const store = new ConfigStore({ kv: await openBucket(nc, BUCKETS.config) });
  let pilot: ChildProcess | undefined;
  let clients: ChildProcess | undefined;
  let stopping = false;
  try {
    log(`scenario ${scenario}: writing ${docs.length} resources (${SERVICES} ServiceEntries, ${Math.ceil(SERVICES / 10)} DestinationRules and VirtualServices${scenario === 'scoped' ? `, ${NAMESPACES} Sidecars` : ''})`);
    for (let k = 0; k < docs.length; k += 100) await store.apply(docs.slice(k, k + 100));

    const xds = await freePort();
    const admin = await freePort();
    const pilotArgs = [...flags, ...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []), bundle];
    const pilotCmd = canPin ? ['taskset', ['-c', '0', process.execPath, ...pilotArgs]] : [process.execPath, pilotArgs];
    pilot = spawn(pilotCmd[0] as string, pilotCmd[1] as string[], {
      // MALLOC_ARENA_MAX as `sextant up` runs Pilot (libs/ctl/local-mesh).
      env: { ...process.env, MALLOC_ARENA_MAX: PILOT_MALLOC_ARENA_MAX, NATS_URL: nats.url, PILOT_XDS_PORT: String(xds), SEXTANT_ADMIN_PORT: String(admin), SEXTANT_LOG_LEVEL: 'warn', SEXTANT_LOG_FORMAT: 'json', SEXTANT_DATA_DIR: join(dir, 'data') },
      stdio: ['ignore', openSync(PILOT_LOG, 'w'), 'inherit'],
    });
    const pilotPid = pilot.pid!;
    const adminUrl = `http://127.0.0.1:${admin}`;
    const t0 = Date.now();
    await waitFor(async () => (await fetch(`${adminUrl}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000, what: 'Pilot ready' });
    await waitFor(async () => ((await (await fetch(`${adminUrl}/debug/push_status`)).json()) as { pushes: { services: number }[] }).pushes[0]?.services === SERVICES, {
      timeoutMs: 60_000,
      what: 'Pilot to know every service',
    });
    const readyMs = Date.now() - t0;
    log(`Pilot ready with ${SERVICES} services in ${readyMs} ms; starting ${CLIENTS} simulated sidecars (${protocol})`);

    const clientArgs = [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF, 'sidecars')] : []), '--import', 'tsx', join(root, `tools/bench/${protocol === 'sotw' ? 'pilot-clients.ts' : 'pilot-delta-clients.ts'}`), '--address', `127.0.0.1:${xds}`, '--streams', String(CLIENTS), '--namespaces', String(NAMESPACES), ...(protocol === 'delta-novhds' ? ['--vhds', 'false'] : [])];
    const clientCmd = canPin ? ['taskset', ['-c', '1', process.execPath, ...clientArgs]] : [process.execPath, clientArgs];
    clients = spawn(clientCmd[0] as string, clientCmd[1] as string[], { env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const messages: { op: string; streams?: StreamReport[]; message?: string }[] = [];
    let errors = 0;
    clients.on('message', (m: { op: string; streams?: StreamReport[]; message?: string }) => {
      if (m.op === 'error') {
        if (stopping) return;
        if (errors++ < 5) log(`client stream error: ${m.message}`);
      } else messages.push(m);
    });
    const syncStart = Date.now();
    const cpuBeforeSync = cpuSeconds(pilotPid);
    await waitFor(() => messages.some((m) => m.op === 'ready'), { timeoutMs: 300_000, intervalMs: 200, what: `every sidecar synced (CDS, EDS, LDS, RDS${protocol === 'delta' ? ' and VirtualHost where routes use VHDS' : ''} ACKed)` });
    const syncMs = Date.now() - syncStart;
    const syncCpu = cpuSeconds(pilotPid) - cpuBeforeSync;
    await sleep(2_000);
    const rssSynced = memMb(pilotPid, 'VmRSS');
    log(`all ${CLIENTS} sidecars synced in ${syncMs} ms; Pilot RSS ${rssSynced.toFixed(0)} MB; memory (MB) ${JSON.stringify(((await (await fetch(`${adminUrl}/debug/push_status`)).json()) as { memory: unknown }).memory)}`);

    const report = async (): Promise<StreamReport[]> => {
      const before = messages.length;
      clients!.send({ op: 'report' });
      await waitFor(() => messages.length > before, { timeoutMs: 120_000, intervalMs: 20, what: 'client report' });
      return messages[messages.length - 1]!.streams!;
    };

    const idleCpu0 = cpuSeconds(pilotPid);
    await sleep(3_000);
    const idleCpu = (cpuSeconds(pilotPid) - idleCpu0) / 3;

    const runs: Run[] = [];
    // The full mesh moves 1.2 GB per VirtualService change; three changes show it well enough.
    const changes = scenario === 'full' ? Math.min(CHANGES, 3) : CHANGES;
    const endpointChanges = scenario === 'full' ? Math.min(ENDPOINT_CHANGES, 3) : ENDPOINT_CHANGES;
    // VirtualService changes (routes), then endpoint changes (svc-0's second endpoint moves: EDS).
    const steps: { kind: ChangeKind; doc: Resource }[] = [
      ...Array.from({ length: changes }, (_, k) => ({ kind: 'vs' as const, doc: virtualService(0, k % 2 === 0 ? 50 : 90) })),
      ...Array.from({ length: endpointChanges }, (_, k) => ({ kind: 'endpoint' as const, doc: serviceEntry(0, k % 2 === 0) })),
    ];
    for (const [k, step] of steps.entries()) {
      const at = Date.now();
      clients.send({ op: 'mark', at });
      await sleep(50);
      const changeAt = Date.now();
      const cpu0 = cpuSeconds(pilotPid);
      const clientCpu0 = cpuSeconds(clients.pid!);
      await store.apply([step.doc]);
      // Done when every sidecar has ACKed something since the change and nothing arrived for a while.
      let last = -1;
      let stableSince = Date.now();
      let streams: StreamReport[] = [];
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
        await sleep(250);
        streams = await report();
        const total = streams.reduce((n, s) => n + s.responses, 0);
        if (total !== last) {
          last = total;
          stableSince = Date.now();
        }
        if (streams.every((s) => s.lastAckAt > 0) && Date.now() - stableSince > 1_500) break;
      }
      const ps = (await (await fetch(`${adminUrl}/debug/push_status`)).json()) as { pushes: { at: string; debounceMs: number; buildMs: number }[]; convergence: Record<string, { p50Ms: number; p99Ms: number }> };
      log(`  push built ${Date.parse(ps.pushes[0]!.at) - changeAt} ms after the write (debounce ${ps.pushes[0]!.debounceMs} ms, build ${ps.pushes[0]!.buildMs} ms); Pilot-side convergence ${JSON.stringify(step.kind === 'vs' ? (protocol === 'delta' ? (ps.convergence['VirtualHost'] ?? ps.convergence['vhds']) : ps.convergence['rds']) : ps.convergence['eds'])}`);
      const cpu = cpuSeconds(pilotPid) - cpu0;
      const clientCpu = cpuSeconds(clients.pid!) - clientCpu0;
      const window = (Date.now() - changeAt) / 1000;
      const lat = streams.filter((s) => s.lastAckAt > 0).map((s) => s.lastAckAt - changeAt).sort((a, b) => a - b);
      const missing = streams.length - lat.length;
      if (missing) log(`change ${k + 1}: ${missing} sidecars never ACKed`);
      const types: Record<string, number> = {};
      for (const s of streams) for (const [t, n] of Object.entries(s.types)) types[t] = (types[t] ?? 0) + n;
      runs.push({ kind: step.kind, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1]!, cpu, clientCpu, responses: streams.reduce((n, s) => n + s.responses, 0), types, latencies: lat });
      log(`change ${k + 1}/${steps.length} (${step.kind}): p50 ${pct(lat, 50)} ms, p99 ${pct(lat, 99)} ms, max ${lat[lat.length - 1]} ms, Pilot CPU ${cpu.toFixed(2)} s, sidecars' CPU ${clientCpu.toFixed(2)} s over ${window.toFixed(1)} s, responses ${JSON.stringify(types)}`);
      await sleep(1_000);
    }
    const rssAfter = memMb(pilotPid, 'VmRSS');
    const rssPeak = memMb(pilotPid, 'VmHWM');
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    const pushStatus = (await (await fetch(`${adminUrl}/debug/push_status`)).json()) as { cache: { entries: number }; convergence: Record<string, { p99Ms: number }>; memory: unknown };
    log(`after the changes: Pilot memory (MB) ${JSON.stringify(pushStatus.memory)}`);
    const connected = Number(/^pilot_xds\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    const metric = (name: string, type: string) => Number(new RegExp(`^${name}\\{type="${type}"[^}]*\\} ([0-9.e+]+)`, 'm').exec(metrics)?.[1] ?? 0);
    const bytesPerResponse = Object.fromEntries(['cds', 'eds', 'lds', 'rds', 'vhds'].map((t) => [t, Math.round(metric('pilot_xds_config_size_bytes_total', t) / Math.max(1, metric('pilot_xds_pushes', t)))]));
    log(`bytes per response: ${JSON.stringify(bytesPerResponse)}`);

    const summary = {
      ...kindSummary(runs, 'vs', ''),
      ...kindSummary(runs, 'endpoint', 'ep'),
      rssSynced,
      rssAfter,
      rssPeak,
      syncMs,
      syncCpu,
      readyMs,
      idleCpu,
      connected,
      cacheEntries: pushStatus.cache.entries,
      rdsKb: Math.round(bytesPerResponse['rds']! / 1024),
      rdsBytes: bytesPerResponse['rds']!,
      vhdsBytes: bytesPerResponse['vhds']!,
      cdsKb: Math.round(bytesPerResponse['cds']! / 1024),
      errors,
      loadStart,
      loadEnd: loadavg()[0]!,
    };
    log(JSON.stringify(summary));
    return { scenario, protocol, summary, runs: runs.map(({ latencies: _, ...r }) => r) };
  } finally {
    stopping = true;
    clients?.send({ op: 'stop' });
    // A profiled client needs time to write its profile on exit.
    if (clients && clients.exitCode === null) await Promise.race([new Promise((r) => clients!.once('exit', r)), sleep(CPU_PROF ? 20_000 : 500)]);
    clients?.kill('SIGKILL');
    if (pilot && pilot.exitCode === null) {
      pilot.kill('SIGTERM');
      await new Promise((r) => pilot!.once('exit', r));
    }
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  /** The Pilot bundle measured (default: the checkout's build); --bundle measures a copy nobody rebuilds meanwhile. */
  const current = argv.includes('--bundle') ? resolve(arg('bundle', '')) : join(root, 'dist/apps/pilot/main.js');
  const comparing = BASELINE !== undefined || COMPARE_PROTOCOL !== undefined;
  const baselineBundle = BASELINE ?? current;
  const baselineLabel =
    BASELINE_LABEL_ARG ??
    (BASELINE ? 'baseline' : `same bundle, ${PROTOCOL_NAMES[BASELINE_PROTOCOL]} clients`);
  for (const scenario of SCENARIOS) {
    let baseline: ScenarioResult | undefined;
    if (BASELINE || (COMPARE_PROTOCOL && COMPARE_SCENARIOS.includes(scenario))) {
      log(`scenario ${scenario}: ${baselineLabel}: bundle ${baselineBundle}, ${BASELINE_PROTOCOL} clients`);
      baseline = await runScenario(scenario, baselineBundle, BASELINE_FLAGS, BASELINE_PROTOCOL);
      log(`scenario ${scenario}: current bundle ${current}, ${PROTOCOL} clients`);
    }
    const result = await runScenario(scenario, current);
    results.push(baseline ? { ...result, baseline: { protocol: baseline.protocol, summary: baseline.summary, runs: baseline.runs } } : result);
  }
  const input = { services: SERVICES, clients: CLIENTS, namespaces: NAMESPACES, changes: CHANGES, endpointChanges: ENDPOINT_CHANGES, pinned: canPin, results, ...(comparing ? { baselineLabel } : {}) };
  // Hand-written parts of the page (rounds, analysis) stay; the bench's own part is replaced.
  writeFileSync(OUT, updatePage(existsSync(OUT) ? readFileSync(OUT, 'utf8') : undefined, input));
  log(`wrote ${OUT}`);
}

await main();
