// Shared assertions for the service boot contract (used by each app's tests).
import { expect } from 'vitest';
import { spawnNatsServer, waitFor } from '@sextant/util';
import { startApp } from './built-app';
import type { BootedService } from './service-boot';

export async function expectReadyFollowsNats(svc: BootedService, component: string): Promise<void> {
  expect((await fetch(`${svc.admin}/healthz`)).status).toBe(200);
  const ready = (await (await fetch(`${svc.admin}/readyz`)).json()) as { ready: boolean; component: string; checks: Record<string, { ready: boolean }> };
  expect(ready).toMatchObject({ ready: true, component, checks: { nats: { ready: true } } });
  const metrics = await (await fetch(`${svc.admin}/metrics`)).text();
  expect(metrics).toContain(`process_resident_memory_bytes{component="${component}"}`);
  // NATS goes away: not ready (but still alive); it comes back: ready again.
  const port = svc.nats.port;
  const dataDir = svc.nats.process.spawnargs[svc.nats.process.spawnargs.indexOf('-sd') + 1];
  await svc.nats.stop();
  await waitFor(async () => (await fetch(`${svc.admin}/readyz`)).status === 503, { timeoutMs: 10_000, what: 'not ready without NATS' });
  expect((await fetch(`${svc.admin}/healthz`)).status).toBe(200);
  svc.nats = await spawnNatsServer({ dataDir, port });
  await waitFor(async () => (await fetch(`${svc.admin}/readyz`)).status === 200, { timeoutMs: 20_000, what: 'ready again after NATS returns' });
}

export async function expectCleanShutdown(svc: BootedService): Promise<void> {
  const { code, ms } = await svc.app.stop('SIGTERM', 12_000);
  expect(code).toBe(0);
  expect(ms).toBeLessThan(10_000);
  expect(svc.app.output()).toContain('"msg":"stopped"');
}

export async function expectBadSettingRefused(bundleDir: string, args: string[], message: RegExp): Promise<void> {
  const app = startApp(bundleDir, args, {});
  const code = await app.exited();
  expect(code).toBe(2);
  expect(app.output()).toMatch(message);
}
