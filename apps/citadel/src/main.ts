// Citadel: the mesh's CA. Signs SPIFFE workload certificates.
import * as grpc from '@grpc/grpc-js';
import { bindServer, createServer, shutdownServer, unimplemented } from '@sextant/grpc';
import { certificateServiceDefinition } from '@sextant/proto';
import { runService } from '@sextant/runtime';
import { CITADEL_SETTINGS } from './features';

await runService({
  name: 'citadel',
  description: 'certificate authority: signs SPIFFE workload certificates',
  settings: CITADEL_SETTINGS,
  async start(ctx) {
    const server = createServer();
    server.addService(certificateServiceDefinition().service, {
      CreateCertificate: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback(unimplemented('CreateCertificate', 'Citadel issue')),
    });
    const port = await bindServer(server, ctx.settings.host, ctx.settings.grpcPort);
    ctx.logger.info({ grpc: `${ctx.settings.host}:${port}`, trustDomain: ctx.settings.trustDomain }, 'CA API listening');
    ctx.onShutdown(() => shutdownServer(server, 3_000));
  },
});
