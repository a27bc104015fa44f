// Finding and spawning a real nats-server (JetStream on). Used by the local
// runner and by tests; never a fake.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { canConnect, freePort } from './net';
import { waitFor } from './async';

export const NATS_INSTALL_HINT =
  'nats-server was not found. Install it with:  sudo apt-get install -y nats-server   (Debian/Ubuntu), or put a nats-server binary (2.9+) on PATH, or point NATS_URL at a running server with JetStream enabled.';

export function findNatsServer(): string | undefined {
  for (const candidate of [process.env['NATS_SERVER_BIN'], '/usr/bin/nats-server', '/usr/local/bin/nats-server', '/usr/sbin/nats-server']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return found || undefined;
}

export interface SpawnedNats {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on 127.0.0.1 with its store under dataDir. */
export async function spawnNatsServer(opts: { dataDir: string; port?: number; detached?: boolean; logFile?: number }): Promise<SpawnedNats> {
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_INSTALL_HINT);
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', opts.dataDir, '--http_port', '0'], {
    stdio: ['ignore', opts.logFile ?? 'ignore', opts.logFile ?? 'pipe'],
    detached: opts.detached ?? false,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`nats-server exited: ${stderr.trim()}`);
      return canConnect('127.0.0.1', port);
    }, { timeoutMs: 15_000, intervalMs: 50, what: `nats-server on port ${port}` });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited || child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
