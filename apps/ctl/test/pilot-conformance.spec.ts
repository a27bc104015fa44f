// Pilot conformance, end to end: `sextant up -d` with echo workloads and an
// external NATS; proxyless gRPC clients (@grpc/grpc-js-xds, bootstrap from
// `sextant bootstrap --proxyless`) call xds:///echo.default.svc.cluster.local:7070
// through Pilot while Istio config goes in with `sextant apply -f`. Each test
// checks a behaviour a user would: traffic splits, header routing, faults,
// timeouts, retries, consistent hashing, outlier ejection, config changes
// under load, Pilot restarts, NATS outages, NACK reporting and bad config
// isolation. One mesh is shared by every test (in this order).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import type { MeshStatus } from '@sextant/local-mesh';
import { BUCKETS, openBucket } from '@sextant/nats';
import { tempDir } from '@sextant/testing';
import { freePort, spawnNatsServer, waitFor, type SpawnedNats } from '@sextant/util';
import { REPO, sextant, type CliResult } from './harness';

const require = createRequire(import.meta.url);
const home = tempDir('sextant-pilot-conformance-');
const env: Record<string, string> = { SEXTANT_HOME: home.path };
const ECHO = 'echo.default.svc.cluster.local';
const HELLO = 'hello.default.svc.cluster.local';
let nats: SpawnedNats;
let natsPort: number;
let pilotAdmin = '';
let galleyAdmin = '';
let proxyId = '';
let status: MeshStatus;

const WORKLOADS = `
workloads:
  - { name: echo-v1, service: echo, labels: { app: echo, version: v1 }, replicas: 2, app: echo, ports: [{ name: grpc, port: 7070, protocol: GRPC }] }
  - { name: echo-v2, service: echo, labels: { app: echo, version: v2 }, app: echo, ports: [{ name: grpc, port: 7070, protocol: GRPC }] }
  - { name: hello, service: hello, labels: { app: hello, version: v1 }, app: echo, ports: [{ name: grpc, port: 7070, protocol: GRPC }] }
`;

/** The CLI without bin/sextant's rebuild check (the first `up` built it). */
function cli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [resolve(REPO, 'dist/apps/ctl/main.js'), ...args], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let fileSeq = 0;
/** `sextant apply -f` of one file; returns the time just before, or 0 when nothing changed. */
function apply(yaml: string): number {
  const file = join(home.path, `config-${++fileSeq}.yaml`);
  writeFileSync(file, yaml);
  const at = Date.now();
  const r = cli(['apply', '-f', file]);
  expect(r.stderr, r.stdout).toBe('');
  expect(r.code).toBe(0);
  return /\b(created|configured)\b/.test(r.stdout) ? at : 0;
}

const json = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

// ---- Istio config -------------------------------------------------------

const dr = (trafficPolicy = '', subsets = '[{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]') => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo, namespace: default }
spec:
  host: ${ECHO}
  ${trafficPolicy ? `trafficPolicy: ${trafficPolicy}` : ''}
  subsets: ${subsets}
`;
const vs = (http: string, name = 'echo', host = ECHO) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: default }
spec:
  hosts: [${host}]
  http: ${http}
`;
const both = (...docs: string[]) => docs.join('\n---\n');
const toSubset = (subset: string, host = ECHO) => `[{ route: [{ destination: { host: ${host}, subset: ${subset} } }] }]`;
const DEFAULT_ROUTE = `[{ route: [{ destination: { host: ${ECHO} } }] }]`;

// ---- proxyless gRPC client ---------------------------------------------

type EchoClient = grpc.Client & { Echo: (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: { instance: string; version: string }) => void) => void };
let Echo: grpc.ServiceClientConstructor;
const clients = new Map<string, EchoClient>();

function client(host = ECHO): EchoClient {
  let c = clients.get(host);
  if (!c) {
    c = new Echo(`xds:///${host}:7070`, grpc.credentials.createInsecure()) as unknown as EchoClient;
    clients.set(host, c);
  }
  return c;
}

interface CallResult {
  ok: boolean;
  instance?: string;
  version?: string;
  code?: number;
  details?: string;
  ms: number;
}

function call(md: Record<string, string> = {}, host = ECHO, deadlineMs = 5000): Promise<CallResult> {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  const t0 = performance.now();
  return new Promise((done) =>
    client(host).Echo({ message: 'conformance' }, metadata, { deadline: Date.now() + deadlineMs }, (err, res) =>
      done(err ? { ok: false, code: err.code, details: err.details, ms: performance.now() - t0 } : { ok: true, instance: res.instance, version: res.version, ms: performance.now() - t0 }),
    ),
  );
}

async function calls(n: number, md: Record<string, string> = {}, host = ECHO): Promise<CallResult[]> {
  const out: CallResult[] = [];
  for (let i = 0; i < n; i++) out.push(await call(md, host));
  return out;
}

const count = (rs: CallResult[], key: (r: CallResult) => string | undefined) => {
  const m: Record<string, number> = {};
  for (const r of rs) {
    const k = key(r) ?? 'none';
    m[k] = (m[k] ?? 0) + 1;
  }
  return m;
};
const failures = (rs: CallResult[]) => rs.filter((r) => !r.ok).map((r) => `${r.code} ${r.details}`);

/** Calls in `concurrency` loops until stopped; every result is kept. */
function steadyCalls(concurrency = 3, host = ECHO) {
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

const syncOf = async (): Promise<Sync | undefined> => (await json<Sync[]>(`${pilotAdmin}/debug/syncz?proxy=${encodeURIComponent(proxyId)}`).catch(() => []))[0];

/** Waits until Pilot has pushed a change made at `since` and our client has answered every response. */
async function settled(since: number): Promise<void> {
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

const statusJson = (): MeshStatus => JSON.parse(cli(['status', '-o', 'json']).stdout) as MeshStatus;
const pilotOf = (s: MeshStatus) => s.components.find((c) => c.name === 'pilot')!;

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

describe('Pilot conformance with proxyless gRPC clients', () => {
  it('serves every echo instance, and proxy-status shows the client in sync', async () => {
    const rs = await waitFor(async () => {
      const r = await calls(30);
      return Object.keys(count(r, (x) => x.instance)).length === 3 && failures(r).length === 0 ? r : undefined;
    }, { timeoutMs: 20_000, what: 'round robin over the three echo instances' });
    expect(Object.keys(count(rs, (x) => x.instance)).sort()).toEqual(['echo-v1-0', 'echo-v1-1', 'echo-v2-0']);
    expect((await call({}, HELLO)).instance).toBe('hello-0');
    const ps = cli(['proxy-status']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/^NAME\s+CDS\s+LDS\s+EDS\s+RDS\s+SDS/);
    expect(ps.stdout).toMatch(/conformance-client\.default\s+SYNCED\s+SYNCED\s+SYNCED\s+SYNCED\s+NOT SENT/);
    const clusters = cli(['proxy-config', 'clusters', 'conformance-client.default']);
    expect(clusters.stdout).toMatch(/^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE/);
    expect(clusters.stdout).toMatch(new RegExp(`${ECHO.replace(/\./g, '\\.')}\\s+7070\\s+-\\s+outbound\\s+EDS`));
    const endpoints = JSON.parse(cli(['proxy-config', 'endpoints', 'conformance-client.default', '-o', 'json']).stdout) as unknown[];
    expect(JSON.stringify(endpoints)).toContain('"portValue":7070');
  });

  it('splits traffic by subset weight', async () => {
    await settled(apply(both(dr(), vs(`[{ route: [{ destination: { host: ${ECHO}, subset: v1 }, weight: 75 }, { destination: { host: ${ECHO}, subset: v2 }, weight: 25 }] }]`))));
    const rs = await calls(400);
    expect(failures(rs)).toEqual([]);
    const v2 = rs.filter((r) => r.version === 'v2').length / rs.length;
    expect(v2).toBeGreaterThan(0.25 - 0.08);
    expect(v2).toBeLessThan(0.25 + 0.08);
  });

  it('routes by header match', async () => {
    await settled(apply(both(dr(), vs(`[{ match: [{ headers: { x-canary: { exact: "yes" } } }], route: [{ destination: { host: ${ECHO}, subset: v2 } }] }, { route: [{ destination: { host: ${ECHO}, subset: v1 } }] }]`))));
    expect(count(await calls(20, { 'x-canary': 'yes' }), (r) => r.version)).toEqual({ v2: 20 });
    expect(count(await calls(20, { 'x-canary': 'no' }), (r) => r.version)).toEqual({ v1: 20 });
    expect(count(await calls(20), (r) => r.version)).toEqual({ v1: 20 });
  });

  it('injects faults: abort with the configured status, delay by the configured time', async () => {
    await settled(
      apply(
        both(
          dr(),
          vs(`
    - match: [{ headers: { x-fault: { exact: abort } } }]
      fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }
      route: [{ destination: { host: ${ECHO} } }]
    - match: [{ headers: { x-fault: { exact: delay } } }]
      fault: { delay: { fixedDelay: 400ms, percentage: { value: 100 } } }
      route: [{ destination: { host: ${ECHO} } }]
    - route: [{ destination: { host: ${ECHO} } }]`),
        ),
      ),
    );
    const aborted = await calls(5, { 'x-fault': 'abort' });
    expect(aborted.map((r) => r.code)).toEqual(Array(5).fill(grpc.status.UNAVAILABLE));
    const delayed = await calls(3, { 'x-fault': 'delay' });
    expect(failures(delayed)).toEqual([]);
    for (const r of delayed) expect(r.ms).toBeGreaterThanOrEqual(390);
    const plain = await calls(5);
    expect(failures(plain)).toEqual([]);
    for (const r of plain) expect(r.ms).toBeLessThan(300);
  });

  it('enforces a route timeout', async () => {
    await settled(apply(both(dr(), vs(`[{ timeout: 300ms, route: [{ destination: { host: ${ECHO} } }] }]`))));
    const slow = await call({ 'x-echo-delay-ms': '2000' });
    expect(slow.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(slow.ms).toBeLessThan(1500);
    expect((await call({ 'x-echo-delay-ms': '50' })).ok).toBe(true);
  });

  it('retries failed calls as the route says', async () => {
    await settled(
      apply(
        both(
          dr(),
          vs(`
    - match: [{ headers: { x-retry: { exact: "yes" } } }]
      retries: { attempts: 3, retryOn: unavailable }
      route: [{ destination: { host: ${ECHO}, subset: v2 } }]
    - retries: { attempts: 0 }
      route: [{ destination: { host: ${ECHO}, subset: v2 } }]`),
        ),
      ),
    );
    const id = `retry-${Date.now()}`;
    // Each call gets a fresh id: the v2 instance fails its first two attempts, the third succeeds.
    for (let i = 0; i < 5; i++) {
      const r = await call({ 'x-retry': 'yes', 'x-echo-fail-first': '2', 'x-echo-id': `${id}-a${i}` });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, version: 'v2' });
    }
    const noRetry = await call({ 'x-echo-fail-first': '1', 'x-echo-id': `${id}-b` });
    expect(noRetry.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('keeps a user on one instance with a consistent hash on a header', async () => {
    await settled(apply(both(dr('{ loadBalancer: { consistentHash: { httpHeaderName: x-user } } }'), vs(DEFAULT_ROUTE))));
    const chosen = new Set<string>();
    for (let u = 0; u < 10; u++) {
      const rs = await calls(8, { 'x-user': `user-${u}` });
      const instances = Object.keys(count(rs, (r) => r.instance));
      expect(instances, `user-${u}`).toHaveLength(1);
      chosen.add(instances[0]!);
    }
    expect(chosen.size).toBeGreaterThan(1);
  });

  // Known gap, kept as a failing expectation: translation gives proxyless clients Envoy's consecutive_5xx ejection
  // (with success-rate ejection off, as Istio does), but gRPC implements only success-rate and failure-percentage
  // ejection, so a proxyless client never ejects. When translation maps outlierDetection to failure-percentage
  // ejection for proxyless proxies, this test passes and `.fails` must go.
  it.fails('ejects an instance that keeps failing (known gap: no gRPC-supported ejection in proxyless clusters)', async () => {
    // No retries: a retry on another instance would hide the failures.
    await settled(apply(both(dr('{ outlierDetection: { consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 50 } }'), vs(`[{ retries: { attempts: 0 }, route: [{ destination: { host: ${ECHO} } }] }]`))));
    // Every instance fails the first 1000 calls with this id... except those whose budget we spend now, directly.
    const id = `outlier-${Date.now()}`;
    const failing = status.workloads.find((w) => w.instance === 'echo-v1-0')!;
    for (const w of status.workloads.filter((x) => x.service === 'echo' && x.instance !== failing.instance)) {
      const direct = new Echo(`${w.address}:7070`, grpc.credentials.createInsecure()) as unknown as EchoClient;
      const md = new grpc.Metadata();
      md.set('x-echo-fail-first', '1000');
      md.set('x-echo-id', id);
      await Promise.all(Array.from({ length: 1000 }, () => new Promise<void>((done) => direct.Echo({ message: 'x' }, md, {}, () => done()))));
      direct.close();
    }
    const md = { 'x-echo-fail-first': '1000', 'x-echo-id': id };
    await waitFor(
      async () => {
        const rs = await calls(30, md);
        return failures(rs).length === 0 && !rs.some((r) => r.instance === failing.instance);
      },
      { timeoutMs: 8_000, intervalMs: 200, what: `${failing.instance} ejected` },
    );
    const after = await calls(40, md);
    expect(failures(after)).toEqual([]);
    expect(Object.keys(count(after, (r) => r.instance)).sort()).toEqual(['echo-v1-1', 'echo-v2-0']);
  });

  it('applies a route change while calls run, none failing', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')))));
    const load = steadyCalls(3);
    await new Promise((r) => setTimeout(r, 300));
    for (const subset of ['v2', 'v1', 'v2']) {
      await settled(apply(both(dr(), vs(toSubset(subset)))));
      await new Promise((r) => setTimeout(r, 300));
    }
    const rs = await load.stop();
    expect(failures(rs)).toEqual([]);
    expect(rs.length).toBeGreaterThan(50);
    expect(count(rs.slice(-20), (r) => r.version)).toEqual({ v2: 20 });
  });
});

describe('Pilot under change and failure', () => {
  it('shows a resource the client rejects as NACKED with its error, and the client keeps its last good config', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')))));
    const at = apply(both(dr(), vs(`[{ match: [{ headers: { x-go: { exact: away } } }], redirect: { uri: /elsewhere } }, { route: [{ destination: { host: ${ECHO}, subset: v2 } }] }]`)));
    await waitFor(async () => (await syncOf())?.types['rds']?.sync === 'NACKED', { timeoutMs: 10_000, what: 'RDS NACKED' });
    expect(Date.now()).toBeGreaterThan(at);
    const ps = cli(['proxy-status', 'conformance-client.default']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/RDS\s+NACKED/);
    expect(ps.stdout).toMatch(/unsupported action: redirect/);
    expect(cli(['proxy-status']).stdout).toMatch(/conformance-client\.default\s+SYNCED\s+SYNCED\s+SYNCED\s+NACKED/);
    // The rejected routes never arrived: calls still follow the last good ones (v1).
    expect(count(await calls(10), (r) => r.version)).toEqual({ v1: 10 });
    await settled(apply(both(dr(), vs(toSubset('v2')))));
    expect((await syncOf())?.types['rds']?.sync).toBe('SYNCED');
    expect(count(await calls(10), (r) => r.version)).toEqual({ v2: 10 });
  });

  it('keeps routing host B when a malformed VirtualService for host A gets into the store', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')), vs(`[{ route: [{ destination: { host: ${HELLO} } }] }]`, 'hello', HELLO))));
    const malformed = vs(`[{ route: [{ destination: { host: ${ECHO}, subset: v2 }, weight: lots }] }]`);
    const file = join(home.path, 'malformed.yaml');
    writeFileSync(file, malformed);
    expect(cli(['apply', '-f', file]).code).toBe(1); // Galley refuses it...
    // ...so it goes in behind Galley's back, straight into the bucket.
    const nc = await connect({ servers: nats.url });
    const store = new ConfigStore({ kv: await openBucket(nc, BUCKETS.config) });
    const bad: Resource = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'echo', namespace: 'default' },
      spec: { hosts: [ECHO], http: [{ route: [{ destination: { host: ECHO, subset: 'v2' }, weight: 'lots' }] }] },
    } as Resource;
    await store.apply([bad]);
    await nc.close();
    await waitFor(async () => (await json<{ rejected: { key: string }[] }>(`${pilotAdmin}/debug/configz`)).rejected.some((r) => r.key === 'VirtualService/default/echo'), {
      timeoutMs: 10_000,
      what: 'Pilot to skip the malformed VirtualService',
    });
    // Host B takes new config as usual...
    await settled(apply(vs(`[{ match: [{ headers: { x-fail: { exact: "yes" } } }], fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }, route: [{ destination: { host: ${HELLO} } }] }, { route: [{ destination: { host: ${HELLO} } }] }]`, 'hello', HELLO)));
    expect((await call({ 'x-fail': 'yes' }, HELLO)).code).toBe(grpc.status.UNAVAILABLE);
    expect(count(await calls(10, {}, HELLO), (r) => r.instance)).toEqual({ 'hello-0': 10 });
    // ...and host A keeps its last valid routes.
    expect(count(await calls(10), (r) => r.version)).toEqual({ v1: 10 });
    await settled(apply(both(dr(), vs(DEFAULT_ROUTE))));
    expect((await json<{ rejected: unknown[] }>(`${pilotAdmin}/debug/configz`)).rejected).toEqual([]);
  });

  it('applies a VirtualService and the DestinationRule with its new subsets together, 100 times under load, with no failed call', async () => {
    const load = steadyCalls(3);
    let last = 0;
    for (let i = 0; i < 100; i++) {
      const version = i % 2 === 0 ? 'v2' : 'v1';
      const subset = `s${i}-${version}`;
      const yaml = both(dr('', `[{ name: ${subset}, labels: { version: ${version} } }]`), vs(toSubset(subset)));
      last = Date.now();
      const res = await fetch(`${galleyAdmin}/apis/v1/apply`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
      expect(res.status, await res.clone().text()).toBe(200);
      await new Promise((r) => setTimeout(r, 130));
    }
    await settled(last);
    await new Promise((r) => setTimeout(r, 300));
    const rs = await load.stop();
    expect(count(rs.filter((r) => !r.ok), (r) => `${r.code} ${r.details}`)).toEqual({});
    expect(rs.length).toBeGreaterThan(200);
    expect(count(rs.slice(-20), (r) => r.version)).toEqual({ v1: 20 });
    const pushes = await json<{ totalPushes: number }>(`${pilotAdmin}/debug/push_status`);
    expect(pushes.totalPushes).toBeGreaterThan(20);
  });

  it('survives a Pilot restart under a steady stream of calls; the client resyncs', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')))));
    const before = pilotOf(statusJson());
    const load = steadyCalls(3);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(before.pid!, 'SIGKILL');
    await waitFor(
      async () => {
        const p = pilotOf(statusJson());
        return p.pid !== before.pid && p.healthy && p.ready;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'Pilot restarted and ready' },
    );
    await waitFor(async () => {
      const s = await syncOf();
      return s && ['cds', 'lds', 'eds', 'rds'].every((t) => s.types[t]!.sync === 'SYNCED');
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'the client to reconnect and resync' });
    await settled(apply(both(dr(), vs(toSubset('v2')))));
    await new Promise((r) => setTimeout(r, 300));
    const rs = await load.stop();
    expect(failures(rs)).toEqual([]);
    expect(pilotOf(statusJson()).restarts).toBeGreaterThan(before.restarts);
    expect(count(rs.slice(-20), (r) => r.version)).toEqual({ v2: 20 });
  });

  it('keeps serving while NATS is away (longer than workload entries live), and takes config again after', async () => {
    await settled(apply(both(dr(), vs(DEFAULT_ROUTE))));
    const load = steadyCalls(2);
    await nats.stop();
    await waitFor(async () => (await fetch(`${pilotAdmin}/readyz`)).status === 503, { timeoutMs: 15_000, what: 'Pilot not ready without NATS' });
    await new Promise((r) => setTimeout(r, 17_000)); // > the 15 s a workload entry lives without refresh
    // Pilot still serves the full picture: a proxy connecting now would get all three endpoints.
    const endpoints = cli(['proxy-config', 'endpoints', 'conformance-client.default']);
    expect(endpoints.code, endpoints.stderr).toBe(0);
    const echoRows = endpoints.stdout.split('\n').filter((l) => l.endsWith(`outbound|7070||${ECHO}`));
    expect(echoRows.map((l) => l.split(/\s+/)[0]).sort()).toEqual(status.workloads.filter((w) => w.service === 'echo').map((w) => `${w.address}:7070`).sort());
    expect(echoRows.every((l) => /\sHEALTHY\s/.test(l))).toBe(true);
    nats = await spawnNatsServer({ dataDir: join(home.path, 'external-nats'), port: natsPort });
    await waitFor(async () => (await fetch(`${pilotAdmin}/readyz`)).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: 'Pilot ready again' });
    await new Promise((r) => setTimeout(r, 8_000)); // past the settle time: held registry changes flow again
    await settled(apply(both(dr(), vs(toSubset('v2')))));
    await new Promise((r) => setTimeout(r, 300)); // calls started before the change finish
    const rs = await load.stop();
    expect(failures(rs)).toEqual([]);
    expect(count(rs.slice(-10), (r) => r.version)).toEqual({ v2: 10 });
    expect(Object.keys(count(await calls(1), (r) => r.instance))).toHaveLength(1);
  });
});
