import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CONTROL_SIGNAL, ControlServer, formatStatus, LocalMesh, meshStatus, readState, readWorkloadsFile, runningMesh, WorkloadsFileError } from '@sextant/local-mesh';
import { createRootLogger, isAliveHint, sleep } from '../support';
import { DEFAULT_WORKLOADS, repoRoot, stateDir } from '../paths';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the local mesh: NATS, the control plane and the workloads (default: the Bookinfo demo)')
    .option('-w, --workloads <file>', 'workloads file (YAML)')
    .option('-d, --detach', 'run in the background; stop it with `sextant down`')
    .option('--no-sidecars', 'run the workloads without sidecars (they call each other directly)')
    .option('--supervise', 'run the supervisor (internal: used by -d)')
    .action(async (opts: { workloads?: string; detach?: boolean; supervise?: boolean; sidecars: boolean }) => {
      const dir = stateDir();
      const running = runningMesh(dir);
      if (running && !(opts.supervise && running.supervisorPid === process.pid)) {
        process.stderr.write(`A local mesh is already running (supervisor pid ${running.supervisorPid}, started ${running.startedAt}).\nSee it with \`sextant status\`; stop it with \`sextant down\`.\n`);
        process.exitCode = 1;
        return;
      }
      const file = resolve(opts.workloads ?? DEFAULT_WORKLOADS());
      let parsed;
      try {
        parsed = readWorkloadsFile(file);
      } catch (err) {
        process.stderr.write(`${err instanceof WorkloadsFileError ? err.message : `cannot read workloads file ${file}: ${(err as Error).message}`}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.detach) return detach(dir, file, opts.sidecars);
      const foreground = !opts.supervise;
      const logger = createRootLogger({ name: 'sextant', level: foreground ? 'warn' : 'info', pretty: foreground ? undefined : false });
      const mesh = new LocalMesh({ repoRoot: repoRoot(), stateDir: dir, workloads: parsed.workloads, config: parsed.config, sidecars: opts.sidecars, natsUrl: process.env['NATS_URL'], logger });
      let stopping = false;
      const stop = async (sig: string) => {
        if (stopping) return;
        stopping = true;
        if (foreground) process.stderr.write(`\n${sig}: stopping the local mesh...\n`);
        await mesh.stop();
        if (foreground) process.stderr.write('Stopped.\n');
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      // `sextant restart <instance>` and other requests from the CLI.
      const control = new ControlServer(dir, (req) => mesh.restartInstance(req.instance));
      process.on(CONTROL_SIGNAL, () => void control.poll());
      try {
        if (foreground) process.stderr.write(`Starting the local mesh (workloads: ${file})...\n`);
        const state = await mesh.start();
        if (foreground) {
          process.stdout.write(`${formatStatus(await meshStatus(state, dir))}\n\nPress Ctrl-C to stop.\n`);
        }
      } catch (err) {
        process.stderr.write(`The local mesh failed to start: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
}

async function detach(dir: string, file: string, sidecars: boolean): Promise<void> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const log = join(dir, 'logs', 'supervisor.log');
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'up', '--supervise', '--workloads', file, ...(sidecars ? [] : ['--no-sidecars'])], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  child.unref();
  process.stderr.write(`Starting the local mesh in the background (supervisor pid ${child.pid}, log ${log})...\n`);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const state = readState(dir);
    if (state && state.supervisorPid === child.pid && state.phase === 'running') {
      process.stdout.write(`${formatStatus(await meshStatus(state, dir))}\n`);
      return;
    }
    if (state && state.supervisorPid === child.pid && state.phase === 'failed') {
      process.stderr.write(`The local mesh failed to start: ${state.error}\n`);
      process.exitCode = 1;
      return;
    }
    if (exited !== null || Date.now() > deadline) {
      process.stderr.write(`The supervisor ${exited !== null ? `exited (code ${exited})` : 'did not report ready in 120 s'}; see ${log}${isAliveHint(child.pid)}\n`);
      process.exitCode = 1;
      return;
    }
    await sleep(100);
  }
}
