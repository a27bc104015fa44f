// The boot contract every Sextant service keeps, checked against the built
// bundle: health, readiness that follows NATS, Prometheus metrics, a clear
// error for a bad setting, and a clean exit on SIGTERM.
import { join } from 'node:path';
import { freePort, spawnNatsServer, type SpawnedNats } from '@sextant/util';
import { buildApp, startApp, waitForHttp, type RunningApp } from './built-app';
import { tempDir } from './temp-dir';

export interface BootedService {
  app: RunningApp;
  nats: SpawnedNats;
  admin: string;
  ports: Record<string, number>;
  cleanup(): Promise<void>;
}

/** Builds and starts `project` (bundle dir) with free ports for each env var in portEnv. */
export async function bootService(project: string, bundleDir: string, portEnv: Record<string, string>, extraArgs: string[] = []): Promise<BootedService> {
  buildApp(project);
  const dir = tempDir(`${project}-boot-`);
  const nats = await spawnNatsServer({ dataDir: join(dir.path, 'nats') });
  const ports: Record<string, number> = { admin: await freePort() };
  const env: Record<string, string> = { NATS_URL: nats.url, SEXTANT_ADMIN_PORT: String(ports['admin']), SEXTANT_DATA_DIR: join(dir.path, 'data') };
  for (const [name, variable] of Object.entries(portEnv)) {
    ports[name] = await freePort();
    env[variable] = String(ports[name]);
  }
  const app = startApp(bundleDir, extraArgs, env);
  const admin = `http://127.0.0.1:${ports['admin']}`;
  try {
    await waitForHttp(`${admin}/readyz`);
  } catch (err) {
    app.process.kill('SIGKILL');
    throw new Error(`${project} did not become ready: ${(err as Error).message}\n${app.output()}`);
  }
  // cleanup() stops whatever app and NATS the test left in place (tests may
  // replace either, e.g. when they restart NATS).
  const booted: BootedService = {
    app,
    nats,
    admin,
    ports,
    async cleanup() {
      if (booted.app.process.exitCode === null) await booted.app.stop('SIGKILL');
      await booted.nats.stop();
      dir.remove();
    },
  };
  return booted;
}
