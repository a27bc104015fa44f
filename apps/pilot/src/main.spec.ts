import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adsServiceDefinition } from '@sextant/proto';
import { bootService, expectBadSettingRefused, expectCleanShutdown, expectReadyFollowsNats, type BootedService } from '@sextant/testing';

let svc: BootedService;
beforeAll(async () => {
  svc = await bootService('pilot', 'apps/pilot', { xds: 'PILOT_XDS_PORT', xdsTls: 'PILOT_XDS_TLS_PORT', webhook: 'PILOT_WEBHOOK_PORT' });
}, 60_000);
afterAll(async () => svc?.cleanup());

describe('pilot process', () => {
  it('is healthy, and ready only while NATS is connected', async () => {
    await expectReadyFollowsNats(svc, 'pilot');
  });

  it('serves the ADS service definition on its xDS port', async () => {
    const Ads = adsServiceDefinition();
    const client = new Ads(`127.0.0.1:${svc.ports['xds']}`, grpc.credentials.createInsecure());
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      const call = client['StreamAggregatedResources']() as grpc.ClientDuplexStream<unknown, unknown>;
      call.on('status', resolve);
      call.on('error', () => undefined);
      call.write({ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', node: { id: 'test' } });
    });
    client.close();
    // A real gRPC status from our server (not a transport error): the stream exists.
    expect(status.code).not.toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a bad setting with its name and reason', async () => {
    await expectBadSettingRefused('apps/pilot', ['--debounce-after', 'soon'], /invalid setting debounceAfter \(--debounce-after \/ PILOT_DEBOUNCE_AFTER\).*"soon" is not a duration/);
  });

  it('exits 0 on SIGTERM within 10 s', async () => {
    await expectCleanShutdown(svc);
  });
});
