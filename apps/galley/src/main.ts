// Galley: the config authority. Validates, stores and distributes Istio
// resources; this file only wires the parts of @sextant/galley-api together.
import {
  AdmissionWebhook,
  ConfigIngest,
  FileSource,
  KubeSource,
  NatsStoreProvider,
  WEBHOOK_PATHS,
  configServiceHandlers,
  registerGalleyDebugHandlers,
  registerRestRoutes,
  type GalleyDebugSources,
} from '@sextant/galley-api';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import { configServiceDefinition } from '@sextant/proto';
import { runService } from '@sextant/runtime';
import { GALLEY_SETTINGS } from './features';

await runService({
  name: 'galley',
  description: 'config authority: validates, stores and distributes Istio resources',
  settings: GALLEY_SETTINGS,
  async start(ctx) {
    const { settings, logger } = ctx;
    const sources: GalleyDebugSources = {};
    const ingest: ConfigIngest = new ConfigIngest({ store: () => provider.get(), logger: logger.child({ scope: 'ingest' }) });
    const provider = new NatsStoreProvider({ link: ctx.nats, logger: logger.child({ scope: 'store' }), admit: ingest.admit, batchTimeoutMs: settings.batchTimeout });

    const server = createServer();
    server.addService(configServiceDefinition().service, configServiceHandlers(ingest, logger.child({ scope: 'config-api' })));
    const port = await bindServer(server, settings.host, settings.grpcPort);
    ctx.onShutdown(() => shutdownServer(server, 3_000));
    registerRestRoutes(ctx.admin.app, ingest, logger.child({ scope: 'rest' }));
    registerGalleyDebugHandlers(ctx.admin, ingest, () => sources);
    logger.info({ grpc: `${settings.host}:${port}` }, 'config API listening');

    if (settings.configDir) {
      const fileSource = new FileSource({ dir: settings.configDir, ingest, logger: logger.child({ scope: 'config-dir' }), debounceMs: settings.configDirDebounce });
      sources.fileSource = fileSource;
      ctx.onShutdown(() => fileSource.stop());
      // Files are applied once NATS is there; start() does not block the service.
      void provider.ready().then(() => fileSource.start()).catch((err: Error) => logger.error({ err: err.message, dir: settings.configDir }, 'config directory source failed'));
    }

    const inCluster = settings.kubernetes === 'on' || (settings.kubernetes === 'auto' && (!!settings.kubeconfig || !!settings.kubernetesServiceHost));
    if (inCluster) {
      // Loaded only here: the client takes ~0.5 s to load, and off a cluster Galley never needs it.
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kubeConfig = new KubeConfig();
      if (settings.kubeconfig) kubeConfig.loadFromFile(settings.kubeconfig);
      else kubeConfig.loadFromCluster();
      const kubeSource = new KubeSource({ kubeConfig, ingest, logger: logger.child({ scope: 'kubernetes' }) });
      sources.kubeSource = kubeSource;
      ctx.onShutdown(() => kubeSource.stop());
      void provider.ready().then(() => kubeSource.start());
      logger.info({ server: kubeConfig.getCurrentCluster()?.server }, 'mirroring Istio resources from Kubernetes');
    }

    if (settings.webhookCertFile && settings.webhookKeyFile) {
      const webhook = new AdmissionWebhook({ certFile: settings.webhookCertFile, keyFile: settings.webhookKeyFile, host: settings.host, port: settings.webhookPort, logger: logger.child({ scope: 'webhook' }) });
      const webhookPort = await webhook.listen();
      sources.webhook = { port: webhookPort, paths: WEBHOOK_PATHS };
      ctx.onShutdown(() => webhook.close());
      logger.info({ webhook: `https://${settings.host}:${webhookPort}/validate` }, 'validating admission webhook listening');
    }
  },
});
