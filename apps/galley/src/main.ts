// Galley: the config authority. Validates, analyses, stores and distributes.
import * as grpc from '@grpc/grpc-js';
import { bindServer, createServer, shutdownServer, unimplemented } from '@sextant/grpc';
import { configServiceDefinition } from '@sextant/proto';
import { runService } from '@sextant/runtime';
import { GALLEY_SETTINGS } from './features';

await runService({
  name: 'galley',
  description: 'config authority: validates, analyses, stores and distributes Istio resources',
  settings: GALLEY_SETTINGS,
  async start(ctx) {
    const server = createServer();
    const def = configServiceDefinition();
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(def.service)) {
      const m = def.service[method];
      handlers[method] = m.responseStream
        ? (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', unimplemented(method, 'Galley issue'))
        : (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(unimplemented(method, 'Galley issue'));
    }
    server.addService(def.service, handlers);
    const port = await bindServer(server, ctx.settings.host, ctx.settings.grpcPort);
    ctx.logger.info({ grpc: `${ctx.settings.host}:${port}` }, 'config API listening');
    ctx.onShutdown(() => shutdownServer(server, 3_000));
  },
});
