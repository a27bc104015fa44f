// Pods without Kubernetes, for the transparent-capture specs
// (apps/ctl/test/transparent-capture*.spec.ts): two network namespaces (client
// and server) on a bridge of their own, each with its app and a sidecar
// running as uid/gid 1337 in REDIRECT mode, and the control plane (the built
// bundles) on the bridge address. Names carry the test process's pid, so a
// crashed run's leftovers are recognised and removed by the next one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@sextant/testing';
import { waitFor } from '@sextant/util';
import type { WorkloadIdentity } from '@sextant/workloads';
import { REPO } from '../harness';

export const PROXY_ID = 1337;
export const HOST = 'hello.default.svc.cluster.local';
export const PORT = 8080;
export type Role = 'client' | 'server';

const has = (cmd: string, args: string[] = ['--version']) => spawnSync(cmd, args).status === 0;
export const canRun = process.getuid?.() === 0 && has('iptables') && has('ip', ['-V']) && has('curl') && has('setpriv', ['--version']) && has('nats-server');

export function sh(args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
export const inNs = (ns: string, args: string[]) => ['ip', 'netns', 'exec', ns, ...args];
export const asUser = (id: number, args: string[]) => ['setpriv', `--reuid=${id}`, `--regid=${id}`, '--clear-groups', ...args];
export const asProxy = (args: string[]) => asUser(PROXY_ID, args);
export const ctlMain = () => join(REPO, 'dist/apps/ctl/main.js');

export async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
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

/**
 * One test file's pair of pods. `prefix` names the namespaces
 * (<prefix>C<pid>, <prefix>S<pid>; 4 letters); `subnet` is the first two
 * octets of the bridge's /24, distinct per spec file.
 */
export class NetnsPods {
  readonly tag = `${process.pid % 100000}`;
  readonly NS: Record<Role, string>;
  readonly BRIDGE: string;
  readonly HUB_IP: string;
  readonly IP: Record<Role, string>;
  readonly tmp = tempDir('sextant-tcap-');
  readonly procs: ChildProcess[] = [];

  constructor(private readonly prefix: string, subnet: string) {
    this.NS = { client: `${prefix}C${this.tag}`, server: `${prefix}S${this.tag}` };
    this.BRIDGE = `sxtbr${this.tag}`;
    const net24 = `${subnet}.${process.pid % 250}`;
    this.HUB_IP = `${net24}.1`;
    this.IP = { client: `${net24}.2`, server: `${net24}.3` };
  }

  start(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const log = openSync(join(this.tmp.path, `${name}.log`), 'a');
    const p = spawn(args[0]!, args.slice(1), { cwd: REPO, env: { ...process.env, SEXTANT_LOG_FORMAT: 'json', ...env }, stdio: ['ignore', log, log] });
    this.procs.push(p);
    return p;
  }

  logOf(name: string, tail = 3000): string {
    try {
      return readFileSync(join(this.tmp.path, `${name}.log`), 'utf8').slice(-tail);
    } catch {
      return '';
    }
  }

  /** Deletes what this test (or an earlier crashed run of it) left: namespaces, their hosts files, the bridge. */
  teardownNetwork(): void {
    const own = new RegExp(`^${this.prefix}[CSX]\\d+$`);
    const names = sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter((n) => own.test(n));
    for (const ns of names) {
      const pid = Number(ns.slice(this.prefix.length + 1));
      if (pid === Number(this.tag) || !isAlive(pid)) {
        spawnSync('ip', ['netns', 'del', ns]);
        rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
      }
    }
    // The root ends of the veth pairs go explicitly: a deleted namespace lingers while the kernel still holds sockets of it.
    for (const l of sh(['ip', '-o', 'link', 'show']).matchAll(/\d+: (sxt(?:br|v[cs])(\d+))[:@]/g)) {
      if (Number(l[2]) === Number(this.tag) || !isAlive(Number(l[2]))) spawnSync('ip', ['link', 'del', l[1]!]);
    }
  }

  setupNetwork(): void {
    sh(['ip', 'link', 'add', this.BRIDGE, 'type', 'bridge']);
    sh(['ip', 'addr', 'add', `${this.HUB_IP}/24`, 'dev', this.BRIDGE]);
    sh(['ip', 'link', 'set', this.BRIDGE, 'up']);
    for (const role of ['client', 'server'] as const) {
      const ns = this.NS[role];
      const host = `sxtv${role[0]}${this.tag}`;
      sh(['ip', 'netns', 'add', ns]);
      sh(inNs(ns, ['ip', 'link', 'set', 'lo', 'up']));
      sh(['ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh(['ip', 'link', 'set', host, 'master', this.BRIDGE, 'up']);
      sh(inNs(ns, ['ip', 'addr', 'add', `${this.IP[role]}/24`, 'dev', 'eth0']));
      sh(inNs(ns, ['ip', 'link', 'set', 'eth0', 'up']));
      // Service VIPs (240.240.0.0/16) must be routable for the app's connect() to reach the OUTPUT chain.
      sh(inNs(ns, ['ip', 'route', 'add', 'default', 'via', this.HUB_IP]));
    }
  }

  identity(role: Role): WorkloadIdentity {
    return {
      name: role === 'server' ? 'hello-v1' : 'sleep-v1',
      service: role === 'server' ? 'hello' : 'sleep',
      namespace: 'default',
      serviceAccount: role === 'server' ? 'hello' : 'sleep',
      instance: role === 'server' ? 'hello-v1-0' : 'sleep-v1-0',
      version: 'v1',
      labels: { app: role === 'server' ? 'hello' : 'sleep', version: 'v1' },
      address: this.IP[role],
      ports: role === 'server' ? [{ name: 'http', port: PORT, protocol: 'HTTP' }] : [{ name: 'http', port: 9000, protocol: 'HTTP' }],
    };
  }

  /** nats-server, Galley and Pilot on the bridge address; resolves when Galley and Pilot are ready. */
  async startControlPlane(ports: { nats: number; galleyGrpc: number; galleyAdmin: number; pilotXds: number; pilotXdsTls: number; pilotWebhook: number; pilotAdmin: number }): Promise<void> {
    const hub = this.HUB_IP;
    this.start('nats', ['nats-server', '-js', '-a', hub, '-p', String(ports.nats), '-sd', join(this.tmp.path, 'nats')]);
    const common = { NATS_URL: `nats://${hub}:${ports.nats}`, SEXTANT_HOST: hub };
    this.start('galley', [process.execPath, join(REPO, 'dist/apps/galley/main.js')], { ...common, GALLEY_GRPC_PORT: String(ports.galleyGrpc), SEXTANT_ADMIN_PORT: String(ports.galleyAdmin), SEXTANT_DATA_DIR: join(this.tmp.path, 'galley') });
    this.start('pilot', [process.execPath, join(REPO, 'dist/apps/pilot/main.js')], {
      ...common,
      PILOT_XDS_PORT: String(ports.pilotXds),
      PILOT_XDS_TLS_PORT: String(ports.pilotXdsTls),
      PILOT_WEBHOOK_PORT: String(ports.pilotWebhook),
      SEXTANT_ADMIN_PORT: String(ports.pilotAdmin),
      SEXTANT_DATA_DIR: join(this.tmp.path, 'pilot'),
    });
    await waitFor(async () => (await ok(`http://${hub}:${ports.pilotAdmin}/readyz`)) && ok(`http://${hub}:${ports.galleyAdmin}/readyz`), {
      timeoutMs: 30_000,
      what: `galley and pilot ready\n${this.logOf('pilot')}\n${this.logOf('galley')}`,
    });
  }

  /** Cluster DNS stand-in: the service hostname resolves to Pilot's VIP inside the client namespace. */
  writeHosts(vip: string): void {
    mkdirSync(`/etc/netns/${this.NS.client}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.NS.client}/hosts`, `127.0.0.1 localhost\n${vip} ${HOST} hello.default hello\n`);
  }

  /** The server app: plain HTTP on the workload's port, telling who connected and what it got. */
  startServerApp(): void {
    this.start('server.app', inNs(this.NS.server, [process.execPath, '-e', `require('node:http').createServer((q, s) => s.setHeader('content-type', 'application/json').end(JSON.stringify({ remote: q.socket.remoteAddress, local: q.socket.localAddress + ':' + q.socket.localPort, url: q.url, headers: q.headers }))).listen(${PORT}, '0.0.0.0')`]));
  }

  /** istio-init: the capture rules, written by the CLI inside each namespace; returns what it printed. */
  installCapture(): string[] {
    return [this.NS.client, this.NS.server].map((ns) => sh(inNs(ns, [process.execPath, ctlMain(), 'proxy', 'iptables', '--proxy-uid', String(PROXY_ID), '--proxy-gid', String(PROXY_ID)])));
  }

  startSidecar(role: Role, control: { pilotXds: number; nats: number }, env: Record<string, string> = {}): void {
    const w = this.identity(role);
    const data = join(this.tmp.path, `data-${role}`);
    mkdirSync(data, { recursive: true });
    chmodSync(data, 0o777);
    this.start(`${role}.sidecar`, inNs(this.NS[role], asProxy([process.execPath, '--enable-source-maps', join(REPO, 'dist/apps/proxy/main.js'), '--mode', 'sidecar'])), {
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
      PILOT_ADDRESS: `${this.HUB_IP}:${control.pilotXds}`,
      NATS_URL: `nats://${this.HUB_IP}:${control.nats}`,
      SEXTANT_DATA_DIR: data,
      ...env,
    });
  }

  async waitForSidecars(): Promise<void> {
    for (const role of ['server', 'client'] as const) {
      await waitFor(() => ok(`http://${this.IP[role]}:15021/healthz/ready`), { timeoutMs: 30_000, what: `${role} sidecar ready` }).catch((err: Error) => {
        throw new Error(`${err.message}\n${this.logOf(`${role}.sidecar`, 6000)}`);
      });
    }
  }

  /** curl, knowing nothing about the mesh (no proxy settings), as root in `ns` (default: the client namespace; null: the test's own). */
  curl(url: string, headers: Record<string, string> = {}, ns: string | null = this.NS.client): { status: number; body: string; exit: number | null; stderr: string } {
    const args = ['curl', '-sS', '--noproxy', '*', '-m', '10', '-o', '-', '-w', '\n%{http_code}', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
    const cmd = ns === null ? args : inNs(ns, args);
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
    const out = r.stdout.trimEnd();
    const nl = out.lastIndexOf('\n');
    return { status: Number(out.slice(nl + 1)), body: nl >= 0 ? out.slice(0, nl) : r.stderr, exit: r.status, stderr: r.stderr };
  }

  async stats(role: Role): Promise<string> {
    return (await fetch(`http://${this.IP[role]}:15000/stats/prometheus`)).text();
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise((r) => p.once('exit', r).kill('SIGKILL'))));
    this.teardownNetwork();
    this.tmp.remove();
  }
}
