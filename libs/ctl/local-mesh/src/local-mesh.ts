// The supervisor of the local mesh: NATS (reused or spawned), the control
// plane, then the workloads, each a real process; state written for
// `status` and `down`; everything stopped in reverse order.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NatsLink } from '@sextant/nats';
import { sleep, waitFor, type Logger } from '@sextant/util';
import { WorkloadAnnouncer, workloadToEnv, WORKLOAD_ENV, type WorkloadIdentity } from '@sextant/workloads';
import { AddressAllocator, PortAllocator } from './allocate';
import { BUILTIN_APP_COMMANDS, COMPONENTS } from './components';
import { ManagedProcess } from './managed-process';
import { APP_ADDRESS_START, ENDPOINT_DRAIN_MS, GATEWAY_ADDRESS_START, SIDECAR_PORTS, SIDECAR_STATE, instanceHealthy, serviceMap, sidecarReady, tail, type Instance } from './instances';
import { applyConfigFiles, startLocalNats } from './mesh-infra';
import { nodeFlagsFor, PILOT_MALLOC_ARENA_MAX } from './proxy-flags';
import { stateFile, writeState, type ComponentState, type MeshState, type WorkloadInstanceState } from './state';
import type { WorkloadSpec } from './workloads-file';
import { type BootstrapTokenMinter, INGRESS_GATEWAY_IDENTITY, PILOT_IDENTITY } from './workload-tokens';
import { citadelTokenMinter, pilotIdentityEnv, proxyPilotEnv } from './xds-wiring';

export interface LocalMeshOptions {
  repoRoot: string;
  stateDir: string;
  workloads: WorkloadSpec[];
  /** NATS to use if it answers (NATS_URL). */
  natsUrl?: string;
  logger: Logger;
  readyTimeoutMs?: number;
  /** Give every workload instance a sidecar (default true). */
  sidecars?: boolean;
  /** Istio config files applied through Galley once everything runs. */
  config?: string[];
}

const HOST = '127.0.0.1';

export class LocalMesh {
  private readonly procs = new Map<string, ManagedProcess>();
  private natsProc: ManagedProcess | undefined;
  private link: NatsLink | undefined;
  private announcer: WorkloadAnnouncer | undefined;
  private tokens: BootstrapTokenMinter | undefined;
  /** Instances being restarted: announced UNHEALTHY so peers stop sending to them. */
  private readonly draining = new Set<string>();
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
      await this.applyConfig();
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
    const nats = await startLocalNats({
      natsUrl: this.opts.natsUrl,
      stateDir: this.opts.stateDir,
      logger: this.opts.logger,
      logPath: this.logPath('nats'),
      onRestart: (pid) => {
        this.state.nats.pid = pid;
        this.save();
      },
    });
    this.natsProc = nats.proc;
    this.state.nats = nats.state;
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
    // Up to Citadel first; Pilot (its xDS TLS certificate) and proxies once Citadel can mint bootstrap tokens.
    const core = COMPONENTS.filter((d) => d.bundle !== 'apps/proxy');
    const ca = core.findIndex((d) => d.name === 'citadel') + 1;
    for (const def of core.slice(0, ca)) await this.launch(def, ports);
    this.save();
    const citadel = this.state.components.find((c) => c.name === 'citadel');
    if (citadel) await this.waitComponentsReady([citadel]);
    this.tokens = citadel && citadelTokenMinter(HOST, citadel, this.opts.stateDir, this.opts.logger);
    for (const def of core.slice(ca)) await this.launch(def, ports);
    this.save();
    await this.waitComponentsReady(this.state.components);
    this.opts.logger.info({ xds: this.tokens ? 'mTLS (Pilot 15012)' : 'plaintext (Pilot 15010)' }, 'control plane ready');
    const gateways = [];
    for (const def of COMPONENTS.filter((d) => d.bundle === 'apps/proxy')) gateways.push(await this.launch(def, ports));
    this.save();
    await this.waitComponentsReady(gateways);
  }

  private async launch(def: (typeof COMPONENTS)[number], ports: PortAllocator): Promise<ComponentState> {
    const assigned: Record<string, number> = {};
    for (const [name, p] of Object.entries(def.ports)) assigned[name] = await ports.take(p.default);
    const env: Record<string, string> = {
      NATS_URL: this.state.nats.url,
      SEXTANT_HOST: HOST,
      SEXTANT_LOG_FORMAT: 'json',
      SEXTANT_DATA_DIR: join(this.opts.stateDir, 'data', def.name),
    };
    for (const [name, p] of Object.entries(def.ports)) env[p.env] = String(assigned[name]);
    let prepare: (() => Promise<void>) | undefined;
    // Pilot allocates through glibc malloc from several threads (libuv, V8's GC helpers, nghttp2); two arenas
    // instead of up to 8 per core keep about 30 MB less RSS at 2000 proxies (docs/benchmarks/pilot.md).
    if (def.name === 'pilot') env['MALLOC_ARENA_MAX'] = PILOT_MALLOC_ARENA_MAX;
    if (def.name === 'pilot' && this.tokens) {
      // Pilot's own certificate from Citadel, for xDS over TLS (15012; see xds-wiring.ts).
      Object.assign(env, this.identityEnv(def.name), pilotIdentityEnv());
      prepare = () => this.mintToken(def.name, PILOT_IDENTITY);
      await prepare();
    }
    if (def.bundle === 'apps/proxy') {
      // The gateway gets an address of its own, so its Gateway ports (8080, 443...) never clash.
      const gatewayAddress = await new AddressAllocator(GATEWAY_ADDRESS_START).take([8080, 8443]);
      Object.assign(env, proxyPilotEnv(HOST, this.state, this.tokens !== undefined));
      env['PROXY_LISTENER_HOST'] = gatewayAddress;
      Object.assign(env, this.identityEnv(def.name));
      prepare = () => this.mintToken(def.name, INGRESS_GATEWAY_IDENTITY);
      await prepare();
      this.state.gateways.push({ name: def.name, address: gatewayAddress, http: `http://${gatewayAddress}:8080` });
    }
    const cs: ComponentState = { name: def.name, pid: undefined, host: HOST, ports: assigned, log: this.logPath(def.name), restarts: 0 };
    const proc = new ManagedProcess({
      name: def.name,
      command: process.execPath,
      args: [...nodeFlagsFor(def.bundle), this.bundle(def.bundle), ...def.args],
      env,
      cwd: this.opts.repoRoot,
      log: cs.log,
      logger: this.opts.logger,
      restart: true,
      prepare,
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
    return cs;
  }

  private async waitComponentsReady(components: readonly ComponentState[]): Promise<void> {
    const timeout = this.opts.readyTimeoutMs ?? 30_000;
    await Promise.all(
      components.map((c) =>
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
  }

  /** Where a proxy finds Citadel and its bootstrap token file. */
  private identityEnv(proxy: string): Record<string, string> {
    const citadel = this.state.components.find((c) => c.name === 'citadel');
    if (!citadel || !this.tokens) return {};
    return { CITADEL_ADDRESS: `${HOST}:${citadel.ports['grpc']}`, SEXTANT_BOOTSTRAP_TOKEN_FILE: this.tokens.path(proxy) };
  }

  /** A fresh single-use token for exactly this proxy's identity, in its token file. */
  private async mintToken(proxy: string, identity: { namespace: string; serviceAccount: string }): Promise<void> {
    if (!this.tokens) return;
    await this.tokens.write(proxy, identity);
  }

  private async startWorkloads(): Promise<void> {
    const sidecars = this.opts.sidecars !== false;
    const addresses = new AddressAllocator();
    const appAddresses = new AddressAllocator(APP_ADDRESS_START);
    const instances: Instance[] = [];
    for (const spec of this.opts.workloads) {
      for (let i = 0; i < spec.replicas; i++) {
        const appPorts = spec.ports.map((p) => p.port);
        const address = await addresses.take(sidecars ? [...appPorts, ...Object.values(SIDECAR_PORTS)] : appPorts);
        const appAddress = sidecars ? await appAddresses.take(appPorts) : address;
        const id: WorkloadIdentity = {
          name: spec.name,
          service: spec.service,
          namespace: spec.namespace,
          serviceAccount: spec.serviceAccount,
          instance: `${spec.name}-${i}`,
          version: spec.labels['version'] ?? '',
          labels: spec.labels,
          address,
          ports: spec.ports,
        };
        instances.push({ spec, id, appAddress });
      }
    }
    const services = serviceMap(instances.map((x) => x.id));
    this.announcer = new WorkloadAnnouncer(this.link as NatsLink, this.opts.logger.child({ scope: 'workloads' }));
    for (const inst of instances) {
      const { id } = inst;
      const ws: WorkloadInstanceState = { ...id, appAddress: inst.appAddress, pid: undefined, sidecarPid: undefined, log: this.logPath(id.instance), sidecar: sidecars ? { ...SIDECAR_STATE } : null };
      this.state.workloads.push(ws);
      // Registered at once (unhealthy until it answers) so Pilot can give its sidecar the inbound side.
      this.announcer.add({ identity: id, sidecar: ws.sidecar ?? undefined, health: async () => (!this.draining.has(ws.instance) && (await instanceHealthy(ws)) ? 'HEALTHY' : 'UNHEALTHY') });
    }
    this.save();
    // Refreshed from now on (health follows the instance), so entries never expire while it starts.
    this.announcer.start();
    const timeout = this.opts.readyTimeoutMs ?? 30_000;
    // Sidecars first: an app starts only once its sidecar has its first config (like Istio's holdApplicationUntilProxyStarts).
    if (sidecars) {
      await Promise.all(instances.map((inst, i) => this.startSidecar(inst, this.state.workloads[i])));
      this.save();
      await Promise.all(
        this.state.workloads.map((ws) =>
          waitFor(
            async () => {
              if (!this.procs.get(`sidecar:${ws.instance}`)?.running) throw new Error(`sidecar of ${ws.instance} exited: ${tail(this.logPath(`${ws.instance}.sidecar`))}`);
              return sidecarReady(ws);
            },
            { timeoutMs: timeout, intervalMs: 100, what: `the sidecar of ${ws.instance} to receive its config (log: ${this.logPath(`${ws.instance}.sidecar`)})` },
          ),
        ),
      );
    }
    instances.forEach((inst, i) => this.startApp(inst, this.state.workloads[i], services));
    this.save();
    await Promise.all(
      this.state.workloads.map((ws) =>
        waitFor(
          async () => {
            if (!this.procs.get(`workload:${ws.instance}`)?.running) throw new Error(`${ws.instance} exited: ${tail(ws.log)}`);
            return instanceHealthy(ws);
          },
          { timeoutMs: timeout, intervalMs: 100, what: `workload ${ws.instance} to listen on ${ws.appAddress} ports ${ws.ports.map((p) => p.port).join(',')}${sidecars ? ` behind its sidecar on ${ws.address}` : ''}` },
        ),
      ),
    );
    await this.announcer.refresh();
    this.opts.logger.info({ instances: instances.length, sidecars }, 'workloads ready');
  }

  private async startSidecar(inst: Instance, ws: WorkloadInstanceState): Promise<void> {
    const log = this.logPath(`${inst.id.instance}.sidecar`);
    const name = `${inst.id.instance}.sidecar`;
    const prepare = () => this.mintToken(name, inst.id);
    await prepare();
    const proc = new ManagedProcess({
      name: `${inst.id.instance}.sidecar`,
      command: process.execPath,
      args: [...nodeFlagsFor('apps/proxy'), this.bundle('apps/proxy'), '--mode', 'sidecar'],
      env: {
        ...workloadToEnv(inst.id),
        [WORKLOAD_ENV.appAddress]: inst.appAddress,
        NATS_URL: this.state.nats.url,
        ...proxyPilotEnv(HOST, this.state, this.tokens !== undefined),
        SEXTANT_HOST: inst.id.address,
        SEXTANT_ADMIN_PORT: String(SIDECAR_PORTS.admin),
        PROXY_HEALTH_PORT: String(SIDECAR_PORTS.health),
        SEXTANT_LOG_FORMAT: 'json',
        SEXTANT_DATA_DIR: join(this.opts.stateDir, 'data', `${inst.id.instance}.sidecar`),
        ...this.identityEnv(name),
      },
      cwd: this.opts.repoRoot,
      log,
      logger: this.opts.logger,
      restart: true,
      prepare,
      onRestart: (pid) => {
        ws.sidecarPid = pid;
        this.save();
      },
    });
    proc.start();
    ws.sidecarPid = proc.pid;
    this.procs.set(`sidecar:${inst.id.instance}`, proc);
  }

  private startApp(inst: Instance, ws: WorkloadInstanceState, services: Record<string, string[]>): void {
    const { spec, id } = inst;
    const [command, ...args] = spec.command ?? [process.execPath, '--enable-source-maps', this.bundle(BUILTIN_APP_COMMANDS[spec.app as string].bundle), ...BUILTIN_APP_COMMANDS[spec.app as string].args];
    const routing: Record<string, string> = ws.sidecar
      ? { [WORKLOAD_ENV.outboundProxy]: `http://${id.address}:${ws.sidecar.outbound}` }
      : { [WORKLOAD_ENV.services]: JSON.stringify(services) };
    const proc = new ManagedProcess({
      name: id.instance,
      command,
      args,
      env: { ...spec.env, ...workloadToEnv({ ...id, address: inst.appAddress }), ...routing, SEXTANT_LOG_FORMAT: 'json' },
      cwd: this.opts.repoRoot,
      log: ws.log,
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
  }

  /** Applies the workloads file's config through Galley, one atomic apply per file. */
  private async applyConfig(): Promise<void> {
    const galley = this.state.components.find((c) => c.name === 'galley');
    await applyConfigFiles(`${HOST}:${galley?.ports['grpc'] ?? 9901}`, this.opts.config ?? [], this.opts.logger);
  }

  /**
   * Restarts one workload instance the graceful way: it leaves every peer's
   * endpoints first (announced UNHEALTHY, then ENDPOINT_DRAIN_MS for the
   * change to reach them), then its app and its sidecar stop (SIGTERM: they
   * finish in-flight work) and start again, sidecar first.
   */
  async restartInstance(instance: string): Promise<void> {
    const ws = this.state.workloads.find((w) => w.instance === instance);
    if (!ws) throw new Error(`no workload instance named ${JSON.stringify(instance)}; instances: ${this.state.workloads.map((w) => w.instance).join(', ')}`);
    const app = this.procs.get(`workload:${instance}`);
    const sidecar = this.procs.get(`sidecar:${instance}`);
    this.draining.add(instance);
    try {
      await this.announcer?.refresh();
      await sleep(ENDPOINT_DRAIN_MS);
      await app?.stop(10_000);
      await sidecar?.restart(10_000);
      const timeout = this.opts.readyTimeoutMs ?? 30_000;
      if (sidecar) await waitFor(() => sidecarReady(ws), { timeoutMs: timeout, intervalMs: 100, what: `the sidecar of ${instance} to receive its config again` });
      await app?.restart();
      await waitFor(() => instanceHealthy(ws), { timeoutMs: timeout, intervalMs: 100, what: `${instance} to answer again` });
    } finally {
      this.draining.delete(instance);
      await this.announcer?.refresh();
    }
  }

  /** Stops everything: instances leave peers' endpoints, apps, sidecars, the control plane, then NATS if spawned here. */
  async stop(opts: { keepState?: boolean } = {}): Promise<void> {
    if (this.state.phase !== 'failed') this.state.phase = 'stopping';
    this.save();
    // Instances leave every peer's endpoints first, then drain.
    await this.announcer?.stop();
    const sidecars = [...this.procs.entries()].filter(([k]) => k.startsWith('sidecar:'));
    if (sidecars.length && this.state.phase === 'stopping') await sleep(1_000);
    const apps = [...this.procs.entries()].filter(([k]) => k.startsWith('workload:'));
    await Promise.all(apps.map(([, p]) => p.stop(10_000)));
    await Promise.all(sidecars.map(([, p]) => p.stop(10_000)));
    const components = [...this.procs.entries()].filter(([k]) => !k.startsWith('workload:') && !k.startsWith('sidecar:'));
    await Promise.all(components.reverse().map(([, p]) => p.stop(12_000)));
    await this.link?.close();
    await this.natsProc?.stop(5_000);
    if (!opts.keepState) rmSync(stateFile(this.opts.stateDir), { force: true });
  }
}

export { instanceHealthy, serviceMap, SIDECAR_PORTS } from './instances';
