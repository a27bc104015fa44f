// The supervisor of the local mesh: NATS (reused or spawned), the control
// plane, then the workloads, each a real process; state written for
// `status` and `down`; everything stopped in reverse order.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NatsLink } from '@sextant/nats';
import { canConnect, findNatsServer, NATS_INSTALL_HINT, waitFor, type Logger } from '@sextant/util';
import { WorkloadAnnouncer, workloadToEnv, WORKLOAD_ENV, type WorkloadIdentity } from '@sextant/workloads';
import { AddressAllocator, PortAllocator } from './allocate';
import { BUILTIN_APP_COMMANDS, COMPONENTS } from './components';
import { ManagedProcess } from './managed-process';
import { stateFile, writeState, type ComponentState, type MeshState, type WorkloadInstanceState } from './state';
import type { WorkloadSpec } from './workloads-file';

export interface LocalMeshOptions {
  repoRoot: string;
  stateDir: string;
  workloads: WorkloadSpec[];
  /** NATS to use if it answers (NATS_URL). */
  natsUrl?: string;
  logger: Logger;
  readyTimeoutMs?: number;
}

const HOST = '127.0.0.1';

export class LocalMesh {
  private readonly procs = new Map<string, ManagedProcess>();
  private natsProc: ManagedProcess | undefined;
  private link: NatsLink | undefined;
  private announcer: WorkloadAnnouncer | undefined;
  readonly state: MeshState;

  constructor(private readonly opts: LocalMeshOptions) {
    this.state = {
      version: 1,
      phase: 'starting',
      supervisorPid: process.pid,
      startedAt: new Date().toISOString(),
      stateDir: opts.stateDir,
      nats: { url: '', spawned: false, pid: undefined },
      components: [],
      workloads: [],
      gateways: [],
    };
  }

  private save(): void {
    writeState(this.opts.stateDir, this.state);
  }

  private logPath(name: string): string {
    return join(this.opts.stateDir, 'logs', `${name}.log`);
  }

  private bundle(dir: string): string {
    const main = join(this.opts.repoRoot, 'dist', dir, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (node tools/build.mjs)`);
    return main;
  }

  async start(): Promise<MeshState> {
    this.save();
    try {
      await this.startNats();
      await this.startControlPlane();
      await this.startWorkloads();
      this.state.phase = 'running';
      this.save();
      return this.state;
    } catch (err) {
      this.state.phase = 'failed';
      this.state.error = (err as Error).message;
      this.save();
      await this.stop({ keepState: true });
      throw err;
    }
  }

  private async startNats(): Promise<void> {
    const log = this.opts.logger;
    const url = this.opts.natsUrl;
    if (url) {
      const u = new URL(url);
      if (await canConnect(u.hostname, Number(u.port || 4222))) {
        log.info({ url }, 'using the NATS at NATS_URL');
        this.state.nats = { url, spawned: false, pid: undefined };
        return this.connectLink();
      }
      log.warn({ url }, 'NATS_URL does not answer; spawning nats-server instead');
    }
    const bin = findNatsServer();
    if (!bin) throw new Error(NATS_INSTALL_HINT);
    const port = await new PortAllocator(HOST).take(4222);
    const dataDir = join(this.opts.stateDir, 'nats');
    this.natsProc = new ManagedProcess({
      name: 'nats',
      command: bin,
      args: ['-js', '-a', HOST, '-p', String(port), '-sd', dataDir],
      env: {},
      cwd: this.opts.stateDir,
      log: this.logPath('nats'),
      logger: log,
      restart: true,
      onRestart: (pid) => {
        this.state.nats.pid = pid;
        this.save();
      },
    });
    this.natsProc.start();
    this.state.nats = { url: `nats://${HOST}:${port}`, spawned: true, pid: this.natsProc.pid };
    await waitFor(() => canConnect(HOST, port), { timeoutMs: 15_000, intervalMs: 50, what: `nats-server on ${HOST}:${port} (log: ${this.logPath('nats')})` });
    this.save();
    await this.connectLink();
  }

  private async connectLink(): Promise<void> {
    this.link = new NatsLink({ url: this.state.nats.url, name: 'sextant-local-mesh', logger: this.opts.logger.child({ scope: 'nats' }) });
    this.link.start();
    await this.link.ready(15_000);
  }

  private async startControlPlane(): Promise<void> {
    const ports = new PortAllocator(HOST);
    for (const def of COMPONENTS) {
      const assigned: Record<string, number> = {};
      for (const [name, p] of Object.entries(def.ports)) assigned[name] = await ports.take(p.default);
      const env: Record<string, string> = {
        NATS_URL: this.state.nats.url,
        SEXTANT_HOST: HOST,
        SEXTANT_LOG_FORMAT: 'json',
        SEXTANT_DATA_DIR: join(this.opts.stateDir, 'data', def.name),
      };
      for (const [name, p] of Object.entries(def.ports)) env[p.env] = String(assigned[name]);
      const cs: ComponentState = { name: def.name, pid: undefined, host: HOST, ports: assigned, log: this.logPath(def.name), restarts: 0 };
      const proc = new ManagedProcess({
        name: def.name,
        command: process.execPath,
        args: ['--enable-source-maps', this.bundle(def.bundle), ...def.args],
        env,
        cwd: this.opts.repoRoot,
        log: cs.log,
        logger: this.opts.logger,
        restart: true,
        onRestart: (pid) => {
          cs.pid = pid;
          cs.restarts++;
          this.save();
        },
      });
      proc.start();
      cs.pid = proc.pid;
      this.procs.set(def.name, proc);
      this.state.components.push(cs);
    }
    this.save();
    const timeout = this.opts.readyTimeoutMs ?? 30_000;
    await Promise.all(
      this.state.components.map((c) =>
        waitFor(
          async () => {
            if (!this.procs.get(c.name)?.running && c.restarts === 0) throw new Error(`${c.name} exited: ${tail(c.log)}`);
            const r = await fetch(`http://${HOST}:${c.ports['admin']}/readyz`, { signal: AbortSignal.timeout(1_000) });
            return r.status === 200;
          },
          { timeoutMs: timeout, intervalMs: 100, what: `${c.name} to become ready (log: ${c.log})` },
        ),
      ),
    );
    this.opts.logger.info('control plane ready');
  }

  private async startWorkloads(): Promise<void> {
    const addresses = new AddressAllocator();
    const identities: { spec: WorkloadSpec; id: WorkloadIdentity }[] = [];
    for (const spec of this.opts.workloads) {
      for (let i = 0; i < spec.replicas; i++) {
        const address = await addresses.take(spec.ports.map((p) => p.port));
        identities.push({
          spec,
          id: {
            name: spec.name,
            service: spec.service,
            namespace: spec.namespace,
            serviceAccount: spec.serviceAccount,
            instance: `${spec.name}-${i}`,
            version: spec.labels['version'] ?? '',
            labels: spec.labels,
            address,
            ports: spec.ports,
          },
        });
      }
    }
    const services = serviceMap(identities.map((x) => x.id));
    this.announcer = new WorkloadAnnouncer(this.link as NatsLink, this.opts.logger.child({ scope: 'workloads' }));
    for (const { spec, id } of identities) {
      const log = this.logPath(id.instance);
      const [command, ...args] = spec.command ?? [process.execPath, '--enable-source-maps', this.bundle(BUILTIN_APP_COMMANDS[spec.app as string].bundle), ...BUILTIN_APP_COMMANDS[spec.app as string].args];
      const ws: WorkloadInstanceState = { ...id, pid: undefined, log, sidecar: null };
      const proc = new ManagedProcess({
        name: id.instance,
        command,
        args,
        env: { ...spec.env, ...workloadToEnv(id), [WORKLOAD_ENV.services]: JSON.stringify(services), SEXTANT_LOG_FORMAT: 'json' },
        cwd: this.opts.repoRoot,
        log,
        logger: this.opts.logger,
        restart: true,
        onRestart: (pid) => {
          ws.pid = pid;
          this.save();
        },
      });
      proc.start();
      ws.pid = proc.pid;
      this.procs.set(`workload:${id.instance}`, proc);
      this.state.workloads.push(ws);
      this.announcer.add({ identity: id, health: async () => ((await allPortsOpen(id)) ? 'HEALTHY' : 'UNHEALTHY') });
    }
    this.save();
    const timeout = this.opts.readyTimeoutMs ?? 30_000;
    await Promise.all(
      identities.map(({ id }) =>
        waitFor(
          async () => {
            if (!this.procs.get(`workload:${id.instance}`)?.running) throw new Error(`${id.instance} exited: ${tail(this.logPath(id.instance))}`);
            return allPortsOpen(id);
          },
          { timeoutMs: timeout, intervalMs: 100, what: `workload ${id.instance} to listen on ${id.address} ports ${id.ports.map((p) => p.port).join(',')}` },
        ),
      ),
    );
    this.announcer.start();
    await this.announcer.refresh();
    this.opts.logger.info({ instances: identities.length }, 'workloads ready');
  }

  /** Stops everything: workloads, then the control plane, then NATS if spawned here. */
  async stop(opts: { keepState?: boolean } = {}): Promise<void> {
    if (this.state.phase !== 'failed') this.state.phase = 'stopping';
    this.save();
    await this.announcer?.stop();
    const workloads = [...this.procs.entries()].filter(([k]) => k.startsWith('workload:'));
    await Promise.all(workloads.map(([, p]) => p.stop(10_000)));
    const components = [...this.procs.entries()].filter(([k]) => !k.startsWith('workload:'));
    await Promise.all(components.reverse().map(([, p]) => p.stop(12_000)));
    await this.link?.close();
    await this.natsProc?.stop(5_000);
    if (!opts.keepState) rmSync(stateFile(this.opts.stateDir), { force: true });
  }
}

function allPortsOpen(id: WorkloadIdentity): Promise<boolean> {
  return Promise.all(id.ports.map((p) => canConnect(id.address, p.port))).then((r) => r.every(Boolean));
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

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
