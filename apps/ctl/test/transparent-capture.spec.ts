// Transparent capture end to end, like a pod with istio-init: two network
// namespaces this test creates (client and server) on a bridge, each with
// its app and a sidecar running as uid/gid 1337 in REDIRECT mode, the
// capture rules written by `sextant proxy iptables` inside each namespace,
// and nats-server, Galley and Pilot (the built bundles) on the bridge
// address. The client app is plain curl to the service's hostname; the
// namespace's /etc/hosts (ip netns exec mounts /etc/netns/NS/hosts) maps
// that name to the VIP Pilot allocated, which is what cluster DNS does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsLink } from '@sextant/nats';
import { buildApp, tempDir } from '@sextant/testing';
import { freePort, silentLogger, waitFor } from '@sextant/util';
import { WorkloadAnnouncer, type WorkloadIdentity } from '@sextant/workloads';
import { REPO } from './harness';

const PROXY_ID = 1337;
const tag = `${process.pid % 100000}`;
const NS = { client: `sxtcC${tag}`, server: `sxtcS${tag}` };
const BRIDGE = `sxtbr${tag}`;
const net24 = `10.251.${process.pid % 250}`;
const HUB_IP = `${net24}.1`;
const IP = { client: `${net24}.2`, server: `${net24}.3` };
const HOST = 'hello.default.svc.cluster.local';
const PORT = 8080;

const has = (cmd: string, args: string[] = ['--version']) => spawnSync(cmd, args).status === 0;
const canRun = process.getuid?.() === 0 && has('iptables') && has('ip', ['-V']) && has('curl') && has('setpriv', ['--version']) && has('nats-server');

const tmp = tempDir('sextant-tcap-');
const procs: ChildProcess[] = [];
let link: NatsLink | undefined;
let announcer: WorkloadAnnouncer | undefined;
const ports = { nats: 0, galleyGrpc: 0, galleyAdmin: 0, pilotXds: 0, pilotAdmin: 0 };
let vip = '';

function sh(args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const inNs = (ns: string, args: string[]) => ['ip', 'netns', 'exec', ns, ...args];
const asUser = (id: number, args: string[]) => ['setpriv', `--reuid=${id}`, `--regid=${id}`, '--clear-groups', ...args];
const asProxy = (args: string[]) => asUser(PROXY_ID, args);

function start(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const log = openSync(join(tmp.path, `${name}.log`), 'a');
  const p = spawn(args[0]!, args.slice(1), { cwd: REPO, env: { ...process.env, SEXTANT_LOG_FORMAT: 'json', ...env }, stdio: ['ignore', log, log] });
  procs.push(p);
  return p;
}
const logOf = (name: string) => {
  try {
    return readFileSync(join(tmp.path, `${name}.log`), 'utf8').slice(-3000);
  } catch {
    return '';
  }
};

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/** Deletes what this test (or an earlier crashed run of it) left: namespaces, their hosts files, the bridge. */
function teardownNetwork(): void {
  const names = sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter((n) => /^sxtc[CSX]\d+$/.test(n));
  for (const ns of names) {
    const pid = Number(ns.slice(5));
    if (pid === Number(tag) || !isAlive(pid)) {
      spawnSync('ip', ['netns', 'del', ns]);
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
  }
  // The root ends of the veth pairs go explicitly: a deleted namespace lingers while the kernel still holds sockets of it.
  for (const l of sh(['ip', '-o', 'link', 'show']).matchAll(/\d+: (sxt(?:br|v[cs])(\d+))[:@]/g)) {
    if (Number(l[2]) === Number(tag) || !isAlive(Number(l[2]))) spawnSync('ip', ['link', 'del', l[1]!]);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function setupNetwork(): void {
  sh(['ip', 'link', 'add', BRIDGE, 'type', 'bridge']);
  sh(['ip', 'addr', 'add', `${HUB_IP}/24`, 'dev', BRIDGE]);
  sh(['ip', 'link', 'set', BRIDGE, 'up']);
  for (const role of ['client', 'server'] as const) {
    const ns = NS[role];
    const host = `sxtv${role[0]}${tag}`;
    sh(['ip', 'netns', 'add', ns]);
    sh(inNs(ns, ['ip', 'link', 'set', 'lo', 'up']));
    sh(['ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh(['ip', 'link', 'set', host, 'master', BRIDGE, 'up']);
    sh(inNs(ns, ['ip', 'addr', 'add', `${IP[role]}/24`, 'dev', 'eth0']));
    sh(inNs(ns, ['ip', 'link', 'set', 'eth0', 'up']));
    // Service VIPs (240.240.0.0/16) must be routable for the app's connect() to reach the OUTPUT chain.
    sh(inNs(ns, ['ip', 'route', 'add', 'default', 'via', HUB_IP]));
  }
}

const identity = (role: 'client' | 'server'): WorkloadIdentity => ({
  name: role === 'server' ? 'hello-v1' : 'sleep-v1',
  service: role === 'server' ? 'hello' : 'sleep',
  namespace: 'default',
  serviceAccount: role === 'server' ? 'hello' : 'sleep',
  instance: role === 'server' ? 'hello-v1-0' : 'sleep-v1-0',
  version: 'v1',
  labels: { app: role === 'server' ? 'hello' : 'sleep', version: 'v1' },
  address: IP[role],
  ports: role === 'server' ? [{ name: 'http', port: PORT, protocol: 'HTTP' }] : [{ name: 'http', port: 9000, protocol: 'HTTP' }],
});

function startSidecar(role: 'client' | 'server'): void {
  const w = identity(role);
  const data = join(tmp.path, `data-${role}`);
  mkdirSync(data, { recursive: true });
  chmodSync(data, 0o777);
  start(`${role}.sidecar`, inNs(NS[role], asProxy([process.execPath, '--enable-source-maps', join(REPO, 'dist/apps/proxy/main.js'), '--mode', 'sidecar'])), {
    SEXTANT_WORKLOAD: w.name,
    SEXTANT_SERVICE: w.service,
    SEXTANT_NAMESPACE: w.namespace,
    SEXTANT_SERVICE_ACCOUNT: w.serviceAccount,
    SEXTANT_INSTANCE: w.instance,
    SEXTANT_VERSION: w.version,
    SEXTANT_LABELS: JSON.stringify(w.labels),
    SEXTANT_ADDRESS: w.address,
    SEXTANT_PORTS: JSON.stringify(w.ports),
    SEXTANT_HOST: w.address,
    SEXTANT_ADMIN_PORT: '15000',
    PROXY_HEALTH_PORT: '15021',
    PROXY_INTERCEPTION_MODE: 'REDIRECT',
    PILOT_ADDRESS: `${HUB_IP}:${ports.pilotXds}`,
    NATS_URL: `nats://${HUB_IP}:${ports.nats}`,
    SEXTANT_DATA_DIR: data,
  });
}

/** The client app: curl, knowing nothing about the mesh (no proxy settings), as root in the client namespace. */
function curl(url: string, headers: Record<string, string> = {}): { status: number; body: string } {
  const args = ['curl', '-sS', '--noproxy', '*', '-m', '10', '-o', '-', '-w', '\n%{http_code}', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const r = spawnSync('ip', ['netns', 'exec', NS.client, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  const out = r.stdout.trimEnd();
  const nl = out.lastIndexOf('\n');
  return { status: Number(out.slice(nl + 1)), body: nl >= 0 ? out.slice(0, nl) : r.stderr };
}

async function stats(role: 'client' | 'server'): Promise<string> {
  return (await fetch(`http://${IP[role]}:15000/stats/prometheus`)).text();
}

describe.skipIf(!canRun)('transparent capture between network namespaces', () => {
  beforeAll(async () => {
    for (const app of ['proxy', 'pilot', 'galley', 'ctl']) buildApp(app);
    teardownNetwork();
    setupNetwork();
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    start('nats', ['nats-server', '-js', '-a', HUB_IP, '-p', String(ports.nats), '-sd', join(tmp.path, 'nats')]);
    const common = { NATS_URL: `nats://${HUB_IP}:${ports.nats}`, SEXTANT_HOST: HUB_IP };
    start('galley', [process.execPath, join(REPO, 'dist/apps/galley/main.js')], { ...common, GALLEY_GRPC_PORT: String(ports.galleyGrpc), SEXTANT_ADMIN_PORT: String(ports.galleyAdmin), SEXTANT_DATA_DIR: join(tmp.path, 'galley') });
    start('pilot', [process.execPath, join(REPO, 'dist/apps/pilot/main.js')], {
      ...common,
      PILOT_XDS_PORT: String(ports.pilotXds),
      PILOT_XDS_TLS_PORT: String(await freePort()),
      PILOT_WEBHOOK_PORT: String(await freePort()),
      SEXTANT_ADMIN_PORT: String(ports.pilotAdmin),
      SEXTANT_DATA_DIR: join(tmp.path, 'pilot'),
    });
    await waitFor(async () => (await ok(`http://${HUB_IP}:${ports.pilotAdmin}/readyz`)) && ok(`http://${HUB_IP}:${ports.galleyAdmin}/readyz`), { timeoutMs: 30_000, what: `galley and pilot ready\n${logOf('pilot')}\n${logOf('galley')}` });

    // The workloads as the local runner announces them (no `sidecar` field: plaintext between sidecars, mTLS is not under test here).
    link = new NatsLink({ url: common.NATS_URL, name: 'tcap-test', logger: silentLogger() });
    link.start();
    await link.ready(10_000);
    announcer = new WorkloadAnnouncer(link, silentLogger(), 2_000);
    for (const role of ['client', 'server'] as const) announcer.add({ identity: identity(role), health: async () => 'HEALTHY' });
    announcer.start();
    const registry = `http://${HUB_IP}:${ports.pilotAdmin}/debug/registryz?service=${HOST}`;
    await waitFor(async () => {
      const r = (await (await fetch(registry)).json()) as { services: { addresses: string[]; endpoints: unknown[] }[] };
      vip = r.services[0]?.addresses[0] ?? '';
      return vip !== '' && r.services[0]!.endpoints.length > 0;
    }, { timeoutMs: 20_000, what: `${HOST} in Pilot's registry` });
    // Cluster DNS stand-in: the service hostname resolves to Pilot's VIP inside the client namespace.
    mkdirSync(`/etc/netns/${NS.client}`, { recursive: true });
    writeFileSync(`/etc/netns/${NS.client}/hosts`, `127.0.0.1 localhost\n${vip} ${HOST} hello.default hello\n`);

    // The server app: plain HTTP on the workload's port, telling who connected and what it got.
    start('server.app', inNs(NS.server, [process.execPath, '-e', `require('node:http').createServer((q, s) => s.setHeader('content-type', 'application/json').end(JSON.stringify({ remote: q.socket.remoteAddress, local: q.socket.localAddress + ':' + q.socket.localPort, url: q.url, headers: q.headers }))).listen(${PORT}, '0.0.0.0')`]));
    // istio-init: the capture rules, written by the CLI inside each namespace.
    for (const ns of [NS.client, NS.server]) {
      const out = sh(inNs(ns, [process.execPath, join(REPO, 'dist/apps/ctl/main.js'), 'proxy', 'iptables', '--proxy-uid', String(PROXY_ID), '--proxy-gid', String(PROXY_ID)]));
      expect(out).toContain('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
    }
    startSidecar('server');
    startSidecar('client');
    for (const role of ['server', 'client'] as const) {
      await waitFor(() => ok(`http://${IP[role]}:15021/healthz/ready`), { timeoutMs: 30_000, what: `${role} sidecar ready\n${logOf(`${role}.sidecar`)}` });
    }
  }, 180_000);

  afterAll(async () => {
    await announcer?.stop().catch(() => undefined);
    await link?.close().catch(() => undefined);
    await Promise.all(procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise((r) => p.once('exit', r).kill('SIGKILL'))));
    teardownNetwork();
    tmp.remove();
  });

  it('installed the rules in each namespace, idempotently (a re-run replaces them)', () => {
    const ctl = [process.execPath, join(REPO, 'dist/apps/ctl/main.js'), 'proxy', 'iptables'];
    sh(inNs(NS.server, [...ctl, '--proxy-uid', String(PROXY_ID), '--proxy-gid', String(PROXY_ID)]));
    const nat = sh(inNs(NS.server, ['iptables', '-t', 'nat', '-S']));
    expect(nat.match(/-A PREROUTING -p tcp -j ISTIO_INBOUND/g)).toHaveLength(1);
    expect(nat.match(/-A OUTPUT -p tcp -j ISTIO_OUTPUT/g)).toHaveLength(1);
    expect(nat).toContain('-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN');
    // Nothing leaked into the namespace the test runs in.
    expect(sh(['iptables', '-t', 'nat', '-S'])).not.toContain('ISTIO_');
  });

  it('carries a mesh-unaware app\'s request through both sidecars', async () => {
    const r = curl(`http://${HOST}:${PORT}/hello`);
    expect(r.status, r.body).toBe(200);
    const seen = JSON.parse(r.body) as { remote: string; url: string; headers: Record<string, string> };
    // Delivered by the server's sidecar (from inside the server namespace), not straight from the client.
    expect(seen.remote.replace('::ffff:', '')).toBe(IP.server);
    expect(seen.url).toBe('/hello');
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.headers['host']).toBe(`${HOST}:${PORT}`);
    const labels = (reporter: string) => new RegExp(`istio_requests_total\\{[^}]*reporter="${reporter}"[^}]*\\} \\d+`);
    await waitFor(async () => labels('source').test(await stats('client')) && labels('destination').test(await stats('server')), { timeoutMs: 10_000, what: 'request metrics on both sidecars' });
    const client = (await stats('client')).split('\n').find((l) => labels('source').test(l) && l.includes(`destination_service="${HOST}"`));
    const server = (await stats('server')).split('\n').find((l) => labels('destination').test(l) && l.includes(`destination_service="${HOST}"`));
    for (const line of [client, server]) {
      expect(line).toBeDefined();
      expect(line).toContain('source_workload="sleep-v1"');
      expect(line).toContain('destination_workload="hello-v1"');
      expect(line).toContain('response_code="200"');
    }
  });

  it('passes a call to the pod address through the client sidecar (PassthroughCluster) into the server\'s inbound capture', () => {
    const r = curl(`http://${IP.server}:${PORT}/direct`);
    expect(r.status, r.body).toBe(200);
    const seen = JSON.parse(r.body) as { remote: string; url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/direct');
    expect(seen.remote.replace('::ffff:', '')).toBe(IP.server);
    expect(seen.headers['x-request-id']).toBeDefined();
  });

  it('gets Istio\'s transparent-mode config from Pilot for INTERCEPTION_MODE=REDIRECT', () => {
    const pc = (type: string) =>
      JSON.parse(sh([process.execPath, join(REPO, 'dist/apps/ctl/main.js'), 'proxy-config', type, 'hello-v1-0.default', '-o', 'json', '--pilot-admin', `http://${HUB_IP}:${ports.pilotAdmin}`])) as Record<string, unknown>[];
    const listeners = pc('listeners');
    const names = listeners.map((l) => l['name']);
    expect(names).toEqual(expect.arrayContaining(['virtualOutbound', 'virtualInbound', `0.0.0.0_${PORT}`]));
    // No listener bound on the workload address (that is INTERCEPTION_MODE=NONE).
    expect(names).not.toContain(`${IP.server}_${PORT}`);
    const inbound = listeners.find((l) => l['name'] === 'virtualInbound') as { listenerFilters: { name: string }[] };
    expect(inbound.listenerFilters.map((f) => f.name)).toContain('envoy.filters.listener.original_dst');
    const cluster = pc('clusters').find((c) => c['name'] === `inbound|${PORT}||`);
    expect(cluster).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
  });

  it('applies a VirtualService from Galley to the transparent call', async () => {
    const file = join(tmp.path, 'vs.yaml');
    writeFileSync(
      file,
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: hello, namespace: default }
spec:
  hosts: [${HOST}]
  http:
    - match: [{ headers: { end-user: { exact: jason } } }]
      fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }
      route: [{ destination: { host: ${HOST} } }]
    - headers: { request: { set: { x-mesh-route: transparent } } }
      route: [{ destination: { host: ${HOST} } }]
`,
    );
    sh([process.execPath, join(REPO, 'dist/apps/ctl/main.js'), 'apply', '-f', file, '--galley', `${HUB_IP}:${ports.galleyGrpc}`]);
    await waitFor(() => (JSON.parse(curl(`http://${HOST}:${PORT}/vs`).body || '{}') as { headers?: Record<string, string> }).headers?.['x-mesh-route'] === 'transparent', {
      timeoutMs: 20_000,
      what: 'the VirtualService header on the transparent call',
    });
    expect(curl(`http://${HOST}:${PORT}/vs`, { 'end-user': 'jason' }).status).toBe(418);
    expect(curl(`http://${HOST}:${PORT}/vs`, { 'end-user': 'other' }).status).toBe(200);
  });
});

describe.skipIf(!canRun)('sextant proxy iptables in a namespace of its own', () => {
  const ns = `sxtcX${tag}`;
  const ctl = (args: string[], uid?: number) =>
    spawnSync('ip', ['netns', 'exec', ns, ...(uid !== undefined ? asUser(uid, []) : []), process.execPath, join(REPO, 'dist/apps/ctl/main.js'), 'proxy', 'iptables', ...args], { encoding: 'utf8' });
  beforeAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    sh(['ip', 'netns', 'add', ns]);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('--cleanup removes every rule and chain it installed, and a second cleanup is harmless', () => {
    expect(ctl(['--proxy-uid', '1337']).status).toBe(0);
    expect(sh(inNs(ns, ['iptables', '-t', 'nat', '-S']))).toContain('ISTIO_OUTPUT');
    for (let i = 0; i < 2; i++) {
      const r = ctl(['--cleanup']);
      expect(r.status, r.stderr).toBe(0);
      expect(sh(inNs(ns, ['iptables', '-t', 'nat', '-S']))).not.toContain('ISTIO_');
    }
  });

  it('says it needs root when run as another user', () => {
    const r = ctl(['--proxy-uid', '1337'], 4242);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not root \(uid 4242\); run as root or with CAP_NET_ADMIN/);
  });
});

describe.runIf(!canRun)('transparent capture (skipped)', () => {
  it('needs root, iptables, iproute2, curl, setpriv and nats-server', () => {
    expect(canRun).toBe(false);
  });
});
