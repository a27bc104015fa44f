// Pilot: service discovery and traffic management; serves Envoy v3 xDS.
import * as grpc from '@grpc/grpc-js';
import { bindServer, createServer, shutdownServer, unimplemented } from '@sextant/grpc';
import { adsServiceDefinition } from '@sextant/proto';
import { runService } from '@sextant/runtime';
import { PILOT_SETTINGS } from './features';

await runService({
  name: 'pilot',
  description: 'service registry and Istio -> Envoy xDS translation; serves ADS',
  settings: PILOT_SETTINGS,
  async start(ctx) {
    const server = createServer();
    const ads = adsServiceDefinition();
    server.addService(ads.service, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
        call.emit('error', unimplemented('StreamAggregatedResources', 'Pilot issue')),
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
        call.emit('error', unimplemented('DeltaAggregatedResources', 'Pilot issue')),
    });
    const port = await bindServer(server, ctx.settings.host, ctx.settings.xdsPort);
    ctx.logger.info({ xds: `${ctx.settings.host}:${port}` }, 'xDS server listening');
    ctx.onShutdown(() => shutdownServer(server, 3_000));
  },
});
