// The mesh and the client side shared by the Pilot conformance specs
// (pilot-conformance.spec.ts, pilot-resilience.spec.ts): `sextant up -d
// --no-sidecars` with echo workloads and an external NATS; proxyless gRPC
// clients (@grpc/grpc-js-xds, bootstrap from `sextant bootstrap --proxyless`)
// call xds:///<host>:7070 through Pilot while Istio config goes in with
// `sextant apply -f`. Each spec file calls useConformanceMesh() once and gets
// its own mesh (vitest runs the files one at a time, each in its own process).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, expect } from 'vitest';
import type { MeshStatus } from '@sextant/local-mesh';
import { tempDir } from '@sextant/testing';
import { freePort, spawnNatsServer, waitFor, type SpawnedNats } from '@sextant/util';
import { REPO, sextant, type CliResult } from '../harness';

const require = createRequire(import.meta.url);
export const home = tempDir('sextant-pilot-conformance-');
const env: Record<string, string> = { SEXTANT_HOME: home.path };
export const ECHO = 'echo.default.svc.cluster.local';
export const HELLO = 'hello.default.svc.cluster.local';
let nats: SpawnedNats;
let natsPort: number;
export let pilotAdmin = '';
export let galleyAdmin = '';
export let proxyId = '';
export let status: MeshStatus;

const WORKLOADS = `
workloads:
  - { name: echo-v1, service: echo, labels: { app: echo, version: v1 }, replicas: 2, app: echo, ports: [{ name: grpc, port: 7070, protocol: GRPC }] }
  - { name: echo-v2, service: echo, labels: { app: echo, version: v2 }, app: echo, ports: [{ name: grpc, port: 7070, protocol: GRPC }] }
  - { name: hello, service: hello, labels: { app: hello, version: v1 }, app: echo, ports: [{ name: grpc, port: 7070, protocol: GRPC }] }
`;

/** The CLI without bin/sextant's rebuild check (the first `up` built it). */
export function cli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [resolve(REPO, 'dist/apps/ctl/main.js'), ...args], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The CLI without blocking this process: use it while calls are in flight
 * (spawnSync would stall the gRPC client's event loop, and calls would miss
 * their deadlines for reasons that have nothing to do with the mesh).
 */
export function cliAsync(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(REPO, 'dist/apps/ctl/main.js'), ...args], { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

let fileSeq = 0;
/** `sextant apply -f` of one file; returns the time just before, or 0 when nothing changed. */
export function apply(yaml: string): number {
  const file = join(home.path, `config-${++fileSeq}.yaml`);
  writeFileSync(file, yaml);
  const at = Date.now();
  const r = cli(['apply', '-f', file]);
  expect(r.stderr, r.stdout).toBe('');
  expect(r.code).toBe(0);
  return /\b(created|configured)\b/.test(r.stdout) ? at : 0;
}

/** apply() without blocking this process (for changes made while calls run). */
export async function applyAsync(yaml: string): Promise<number> {
  const file = join(home.path, `config-${++fileSeq}.yaml`);
  writeFileSync(file, yaml);
  const at = Date.now();
  const r = await cliAsync(['apply', '-f', file]);
  expect(r.stderr, r.stdout).toBe('');
  expect(r.code).toBe(0);
  return /\b(created|configured)\b/.test(r.stdout) ? at : 0;
}

export const json = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

// ---- Istio config -------------------------------------------------------

export const dr = (trafficPolicy = '', subsets = '[{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]') => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo, namespace: default }
spec:
  host: ${ECHO}
  ${trafficPolicy ? `trafficPolicy: ${trafficPolicy}` : ''}
  subsets: ${subsets}
`;
export const vs = (http: string, name = 'echo', host = ECHO) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: default }
spec:
  hosts: [${host}]
  http: ${http}
`;
export const both = (...docs: string[]) => docs.join('\n---\n');
export const toSubset = (subset: string, host = ECHO) => `[{ route: [{ destination: { host: ${host}, subset: ${subset} } }] }]`;
export const DEFAULT_ROUTE = `[{ route: [{ destination: { host: ${ECHO} } }] }]`;

// ---- proxyless gRPC client ---------------------------------------------

export type EchoClient = grpc.Client & {
  Echo: (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: { instance: string; version: string }) => void) => void;
};
export let Echo: grpc.ServiceClientConstructor;
const clients = new Map<string, EchoClient>();

function client(host = ECHO): EchoClient {
  let c = clients.get(host);
  if (!c) {
    c = new Echo(`xds:///${host}:7070`, grpc.credentials.createInsecure()) as unknown as EchoClient;
    clients.set(host, c);
  }
  return c;
}

export interface CallResult {
  ok: boolean;
  instance?: string;
  version?: string;
  code?: number;
  details?: string;
  ms: number;
}

export function call(md: Record<string, string> = {}, host = ECHO, deadlineMs = 5000): Promise<CallResult> {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  const t0 = performance.now();
  return new Promise((done) =>
    client(host).Echo({ message: 'conformance' }, metadata, { deadline: Date.now() + deadlineMs }, (err, res) =>
      done(err ? { ok: false, code: err.code, details: err.details, ms: performance.now() - t0 } : { ok: true, instance: res.instance, version: res.version, ms: performance.now() - t0 }),
    ),
  );
}

/** Waits until calls reach every echo instance without failures (the client's channel and xDS stream are up). */
export async function warmUp(): Promise<CallResult[]> {
  return waitFor(
    async () => {
      const r = await calls(30);
      return Object.keys(count(r, (x) => x.instance)).length === 3 && failures(r).length === 0 ? r : undefined;
    },
    { timeoutMs: 20_000, what: 'round robin over the three echo instances' },
  );
}

export async function calls(n: number, md: Record<string, string> = {}, host = ECHO): Promise<CallResult[]> {
  const out: CallResult[] = [];
  for (let i = 0; i < n; i++) out.push(await call(md, host));
  return out;
}

export const count = (rs: CallResult[], key: (r: CallResult) => string | undefined) => {
  const m: Record<string, number> = {};
  for (const r of rs) {
    const k = key(r) ?? 'none';
    m[k] = (m[k] ?? 0) + 1;
  }
  return m;
};
export const failures = (rs: CallResult[]) => rs.filter((r) => !r.ok).map((r) => `${r.code} ${r.details}`);

/** Calls in `concurrency` loops until stopped; every result is kept. */
export function steadyCalls(concurrency = 3, host = ECHO) {
  let running = true;
  const results: CallResult[] = [];
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      results.push(await call({}, host));
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  return {
    results,
    async stop(): Promise<CallResult[]> {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

// ---- Pilot's view -------------------------------------------------------

interface Sync {
  pushPending: boolean;
  waitingForEndpoints?: string[];
  types: Record<string, { sync: string; state: string; lastNack?: { message: string } }>;
}

export const syncOf = async (): Promise<Sync | undefined> => (await json<Sync[]>(`${pilotAdmin}/debug/syncz?proxy=${encodeURIComponent(proxyId)}`).catch(() => []))[0];

/** Waits until Pilot has pushed a change made at `since` and our client has answered every response. */
export async function settled(since: number): Promise<void> {
  if (since === 0) return;
  await waitFor(
    async () => {
      // Pilot's config watch saw the change, and a push went out after that.
      const seen = Date.parse((await json<{ status: { lastUpdateAt?: string } }>(`${pilotAdmin}/debug/configz`)).status.lastUpdateAt ?? '');
      if (!(seen >= since)) return false;
      const push = await json<{ pushes: { at: string }[]; pending?: unknown }>(`${pilotAdmin}/debug/push_status`);
      if (push.pending || !push.pushes.length || Date.parse(push.pushes[0]!.at) < seen) return false;
      const s = await syncOf();
      // No stream yet (no channel made a call): the first one gets the new config anyway.
      return !s || (!s.pushPending && !s.waitingForEndpoints && Object.values(s.types).every((t) => t.state !== 'pending'));
    },
    { timeoutMs: 15_000, intervalMs: 50, what: 'the config change to reach the client' },
  );
}

export const statusJson = (): MeshStatus => JSON.parse(cli(['status', '-o', 'json']).stdout) as MeshStatus;
export const statusJsonAsync = async (): Promise<MeshStatus> => JSON.parse((await cliAsync(['status', '-o', 'json'])).stdout) as MeshStatus;
export const pilotOf = (s: MeshStatus) => s.components.find((c) => c.name === 'pilot')!;

/** Stops the external NATS (the mesh keeps running without it). */
export const stopNats = (): Promise<void> => nats.stop();
/** Starts NATS again on the same port and data directory. */
export async function restartNats(): Promise<void> {
  nats = await spawnNatsServer({ dataDir: join(home.path, 'external-nats'), port: natsPort });
}
/** The NATS URL the mesh uses. */
export const natsUrl = (): string => nats.url;

/** Starts the mesh and the client before the file's tests; stops everything after. */
export function useConformanceMesh(): void {
  beforeAll(async () => {
    natsPort = await freePort();
    nats = await spawnNatsServer({ dataDir: join(home.path, 'external-nats'), port: natsPort });
    env['NATS_URL'] = nats.url;
    writeFileSync(join(home.path, 'echo.yaml'), WORKLOADS);
    // Proxyless mesh: the gRPC clients and the echo servers talk directly, as Istio's proxyless gRPC does; what is
    // tested is Pilot's config as gRPC applies it (sidecars are tested with the proxy).
    const up = sextant(['up', '-d', '--no-sidecars', '-w', join(home.path, 'echo.yaml')], env, 240_000);
    expect(up.code, up.stderr).toBe(0);
    status = statusJson();
    pilotAdmin = `http://127.0.0.1:${pilotOf(status).ports['admin']}`;
    galleyAdmin = `http://127.0.0.1:${status.components.find((c) => c.name === 'galley')!.ports['admin']}`;
    const boot = cli(['bootstrap', '--proxyless', '--workload', 'conformance-client', '-n', 'default']);
    expect(boot.code, boot.stderr).toBe(0);
    const bootstrap = JSON.parse(boot.stdout) as { node: { id: string } };
    proxyId = bootstrap.node.id;
    // grpc-js-xds reads its bootstrap from the environment once, on first use.
    process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = boot.stdout;
    (require('@grpc/grpc-js-xds') as { register(): void }).register();
    Echo = (grpc.loadPackageDefinition(protoLoader.loadSync(resolve(REPO, 'samples/echo/echo.proto'))) as unknown as { sextant: { echo: { v1: { Echo: grpc.ServiceClientConstructor } } } })
      .sextant.echo.v1.Echo;
    await settled(apply(both(dr(), vs(DEFAULT_ROUTE)))).catch(() => undefined);
  }, 300_000);

  afterAll(async () => {
    for (const c of clients.values()) c.close();
    sextant(['down'], env);
    await nats?.stop();
    home.remove();
  });
}
