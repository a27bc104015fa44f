// Citadel: the mesh's CA. Signs SPIFFE workload certificates.
import { Citadel } from '@sextant/ca-server';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import type { CaKeyType } from '@sextant/pki';
import { certificateServiceDefinition } from '@sextant/proto';
import { runService } from '@sextant/runtime';
import { CITADEL_SETTINGS } from './features';
import { kubernetesAuth } from './kubernetes';

await runService({
  name: 'citadel',
  description: 'certificate authority: signs SPIFFE workload certificates',
  settings: CITADEL_SETTINGS,
  async start(ctx) {
    const s = ctx.settings;
    const citadel = Citadel.start({
      dataDir: s.dataDir,
      trustDomain: s.trustDomain,
      pluggedDir: s.caCertsDir,
      rootKeyType: s.rootKeyType as CaKeyType,
      rootTtlMs: s.rootTtl,
      rootOverlapMs: s.rootOverlap,
      certTtlMs: s.certTtl,
      maxCertTtlMs: s.maxCertTtl,
      token: { defaultTtlMs: s.tokenTtl, maxTtlMs: s.tokenMaxTtl, maxUses: s.tokenMaxUses },
      kubernetes: kubernetesAuth(s.kubernetes, s.tokenAudiences),
      adminAllowRemote: s.adminAllowRemote,
      logger: ctx.logger.child({ scope: 'ca' }),
      admin: ctx.admin,
      nats: ctx.nats,
      setReady: ctx.setReady,
    });
    ctx.onShutdown(() => citadel.close());
    const server = createServer();
    server.addService(certificateServiceDefinition().service, citadel.handlers);
    const port = await bindServer(server, s.host, s.grpcPort);
    ctx.logger.info({ grpc: `${s.host}:${port}`, trustDomain: s.trustDomain }, 'CA API listening');
    ctx.onShutdown(() => shutdownServer(server, 3_000));
  },
});
