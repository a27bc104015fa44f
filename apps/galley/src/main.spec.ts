import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configServiceDefinition } from '@sextant/proto';
import { bootService, expectBadSettingRefused, expectCleanShutdown, expectReadyFollowsNats, type BootedService } from '@sextant/testing';

let svc: BootedService;
beforeAll(async () => {
  svc = await bootService('galley', 'apps/galley', { grpc: 'GALLEY_GRPC_PORT' });
}, 60_000);
afterAll(async () => svc?.cleanup());

describe('galley process', () => {
  it('is healthy, and ready only while NATS is connected', async () => {
    await expectReadyFollowsNats(svc, 'galley');
  });

  it('serves the config API definition on its gRPC port', async () => {
    const Config = configServiceDefinition();
    const client = new Config(`127.0.0.1:${svc.ports['grpc']}`, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) => client['List']({}, (e: grpc.ServiceError | null) => resolve(e)));
    client.close();
    expect(err?.code ?? grpc.status.OK).not.toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a bad setting with its name and reason', async () => {
    await expectBadSettingRefused('apps/galley', ['--grpc-port', 'abc'], /invalid setting grpcPort \(--grpc-port \/ GALLEY_GRPC_PORT\).*is not an integer/);
  });

  it('exits 0 on SIGTERM within 10 s', async () => {
    await expectCleanShutdown(svc);
  });
});
