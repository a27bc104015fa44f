import { afterAll, beforeAll, describe, it } from 'vitest';
import { bootService, expectBadSettingRefused, expectCleanShutdown, expectReadyFollowsNats, type BootedService } from '@sextant/testing';

let svc: BootedService;
beforeAll(async () => {
  svc = await bootService('proxy', 'apps/proxy', { health: 'PROXY_HEALTH_PORT' }, ['--mode', 'ingress']);
}, 60_000);
afterAll(async () => svc?.cleanup());

describe('proxy process', () => {
  it('is healthy, and ready only while NATS is connected', async () => {
    await expectReadyFollowsNats(svc, 'proxy');
  });

  it('refuses an unknown mode with the allowed values', async () => {
    await expectBadSettingRefused('apps/proxy', ['--mode', 'mesh'], /invalid setting mode \(--mode \/ PROXY_MODE\).*"mesh" is not one of sidecar, ingress, egress/);
  });

  it('exits 0 on SIGTERM within 10 s', async () => {
    await expectCleanShutdown(svc);
  });
});
