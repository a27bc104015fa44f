// The local mesh's shared infrastructure steps: NATS (the one at NATS_URL
// when it answers, else a nats-server with JetStream spawned under the state
// dir, restarted if it dies) and applying the workloads file's config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigClient } from '@sextant/galley-api';
import { canConnect, findNatsServer, NATS_INSTALL_HINT, waitFor, type Logger } from '@sextant/util';
import { PortAllocator } from './allocate';
import { ManagedProcess } from './managed-process';
import type { MeshState } from './state';

const HOST = '127.0.0.1';

export interface LocalNatsOptions {
  natsUrl: string | undefined;
  stateDir: string;
  logger: Logger;
  logPath: string;
  onRestart: (pid: number | undefined) => void;
}

export async function startLocalNats(opts: LocalNatsOptions): Promise<{ state: MeshState['nats']; proc?: ManagedProcess }> {
  const log = opts.logger;
  const url = opts.natsUrl;
  if (url) {
    const u = new URL(url);
    if (await canConnect(u.hostname, Number(u.port || 4222))) {
      log.info({ url }, 'using the NATS at NATS_URL');
      return { state: { url, spawned: false, pid: undefined } };
    }
    log.warn({ url }, 'NATS_URL does not answer; spawning nats-server instead');
  }
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_INSTALL_HINT);
  const port = await new PortAllocator(HOST).take(4222);
  const dataDir = join(opts.stateDir, 'nats');
  const proc = new ManagedProcess({
    name: 'nats',
    command: bin,
    args: ['-js', '-a', HOST, '-p', String(port), '-sd', dataDir],
    env: {},
    cwd: opts.stateDir,
    log: opts.logPath,
    logger: log,
    restart: true,
    onRestart: opts.onRestart,
  });
  proc.start();
  await waitFor(() => canConnect(HOST, port), { timeoutMs: 15_000, intervalMs: 50, what: `nats-server on ${HOST}:${port} (log: ${opts.logPath})` });
  return { state: { url: `nats://${HOST}:${port}`, spawned: true, pid: proc.pid }, proc };
}

/** Applies Istio config files through Galley, in order; the first failure stops and names the file. */
export async function applyConfigFiles(galley: string, files: readonly string[], logger: Logger): Promise<void> {
  if (files.length === 0) return;
  const client = new ConfigClient(galley);
  try {
    for (const file of files) {
      await client.apply({ manifest: readFileSync(file, 'utf8'), source: file, fieldManager: 'sextant-up' });
      logger.info({ file }, 'applied config from the workloads file');
    }
  } catch (err) {
    throw new Error(`applying the workloads file's config failed: ${(err as Error).message}`, { cause: err });
  } finally {
    client.close();
  }
}
