// Pilot: service discovery and traffic management; serves Envoy v3 xDS.
// Wiring only: config watcher + registries -> push pipeline (PushContext,
// debounce) -> snapshot source (translation, cached per proxy key) -> ADS.
import { KubeConfig } from '@kubernetes/client-node';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import { loadMoreEnvoyProtos } from '@sextant/proto';
import { runService, startIdleGc } from '@sextant/runtime';
import { ENVOY_PROTOS_FOR_SECURITY, securityHooks } from '@sextant/pilot-security';
import { ENVOY_PROTOS_FOR_TRANSLATION } from '@sextant/translate';
import { addAdsService } from '@sextant/xds-server';
import { configAdmission } from './config-admission';
import { openConfigWatch } from './config-source';
import { ConfigWatcher } from './config-watcher';
import { createCredentials } from './credentials';
import { registerDebugHandlers } from './debug-handlers';
import { PILOT_SETTINGS } from './features';
import { pilotMetrics } from './metrics';
import { PushHistory } from './push-history';
import { PushPipeline } from './push-pipeline';
import { createRegistries, SERVICE_ENTRY_KINDS, updateServiceEntries } from './registries';
import { PilotSnapshotSource } from './snapshot-source';
import { istioTranslator } from './translator';
import { WarningLog } from './warning-log';
import { bootstrapTokenReader, startXdsTls } from './xds-tls';

await runService({
  name: 'pilot',
  description: 'service registry and Istio -> Envoy xDS translation; serves ADS',
  settings: PILOT_SETTINGS,
  async start(ctx) {
    const { settings, logger } = ctx;
    loadMoreEnvoyProtos([...ENVOY_PROTOS_FOR_TRANSLATION, ...ENVOY_PROTOS_FOR_SECURITY]);
    // xDS over TLS needs Pilot's own certificate: with a Citadel address, a bootstrap token must be configured (checked now).
    const tlsToken = settings.citadelAddress ? bootstrapTokenReader(settings, logger) : undefined;
    const mesh = { domainSuffix: settings.domainSuffix, trustDomain: settings.trustDomain, rootNamespace: settings.rootNamespace };
    const history = new PushHistory(settings.pushHistory);

    const config = new ConfigWatcher({
      open: async () => credentials.divert(await openConfigWatch(ctx.nats, logger, settings.batchTimeout)),
      logger,
      admit: configAdmission(settings.validateConfig),
    });
    const inCluster = settings.kubernetes === 'on' || (settings.kubernetes === 'auto' && (!!settings.kubeconfig || !!settings.kubernetesServiceHost));
    let kubeConfig: KubeConfig | undefined;
    if (inCluster) {
      kubeConfig = new KubeConfig();
      if (settings.kubeconfig) kubeConfig.loadFromFile(settings.kubeconfig);
      else kubeConfig.loadFromCluster();
    }
    const registries = createRegistries({ link: ctx.nats, logger, domainSuffix: settings.domainSuffix, ...(kubeConfig ? { kubeConfig } : {}) });
    // Gateway credentials (credentialName): Secrets from the config bucket and, in a cluster, Kubernetes.
    const credentials = createCredentials({ logger, ...(kubeConfig ? { kubeConfig } : {}) });

    const metrics = pilotMetrics(ctx.admin.registry, history, { cacheSize: () => source.cacheStats().entries, invalidConfigs: () => config.rejected().length });
    // Security (PeerAuthentication, AuthorizationPolicy, RequestAuthentication) through translation's hooks: its
    // clusters and warnings land in translation's output (/debug/push_status, /debug/config_dump); each warning is
    // logged once per proxy. Secrets: gateway credentials from the credential registry (see secrets.ts).
    const warningLog = new WarningLog(logger.child({ scope: 'security' }));
    const translator = istioTranslator({ hooks: securityHooks({ onWarning: (message, proxy) => warningLog.report(proxy.id, message) }), credentials: credentials.registry });
    const source = new PilotSnapshotSource(translator, logger, metrics.source, { retiredClusterGraceMs: settings.retiredClusterGrace, batchSize: settings.pushBatch });
    const server = createServer();
    const ads = addAdsService(server, {
      source,
      logger,
      metrics: metrics.xds,
      sendTimeoutMs: settings.sendTimeout,
      clusterWarmTimeoutMs: settings.clusterWarmTimeout,
      vhds: settings.vhds,
      controlPlaneId: `pilot@${settings.host}`,
    });
    const pipeline = new PushPipeline({
      target: ads,
      sink: source,
      configs: () => config.configs(),
      registry: registries.aggregate,
      mesh,
      quietMs: settings.debounceAfter,
      maxDelayMs: settings.debounceMax,
      settleMs: settings.natsSettle,
      history,
      logger,
      metrics: metrics.pipeline,
    });

    // Changes flow: config (batches whole) and registries -> pipeline.
    config.onChange((event) => {
      metrics.inbound('config');
      if ([...event.keys].some((k) => SERVICE_ENTRY_KINDS.has(k.slice(0, k.indexOf('/')))) || event.initial) {
        updateServiceEntries(registries.serviceEntries, config.configs());
      }
      pipeline.onConfig(event);
    });
    registries.aggregate.onChange((event) => {
      metrics.inbound(event.kind === 'endpoint' ? 'eds' : 'svc');
      pipeline.onRegistry(event);
    });
    let natsLost = false;
    ctx.nats.onChange((connected) => {
      pipeline.setNatsConnected(connected);
      if (!connected) natsLost = true;
      else if (natsLost) config.restart('NATS reconnected');
    });

    // Readiness: NATS (the runtime's check), the initial config and the registries.
    ctx.setReady('config', false, 'waiting for the initial config from the sextant_config bucket');
    ctx.setReady('registry', false, 'waiting for the registries to sync');
    config.start();
    registries.start();
    credentials.start();
    credentials.registry.onChange((keys) => pipeline.onConfig({ keys: new Set(keys), initial: false, at: Date.now() }));
    ctx.admin.registerDebugHandler('credentialz', 'gateway credentials (credentialName) Pilot holds per source, and Secrets it refused; no key material', () => credentials.registry.status());
    void config.whenLoaded().then(() => ctx.setReady('config', true, `${config.configs().length} resources loaded`));
    void Promise.all([config.whenLoaded(), registries.whenSynced()]).then(() => {
      updateServiceEntries(registries.serviceEntries, config.configs());
      pipeline.initialize();
      ctx.setReady('registry', true, `${registries.aggregate.services().length} services`);
    });

    registerDebugHandlers(ctx.admin, { ads, source, config, registry: registries.aggregate, pipeline, history });

    const port = await bindServer(server, settings.host, settings.xdsPort);
    logger.info({ xds: `${settings.host}:${port}` }, 'xDS server listening');
    // 15012: the same ADS over TLS, clients authenticated by their mesh certificate (when Citadel is configured).
    const tls = tlsToken
      ? startXdsTls({
          settings,
          ads,
          nats: ctx.nats,
          logger,
          registry: ctx.admin.registry,
          setReady: (ready, detail) => ctx.setReady('xds-tls', ready, detail),
          bootstrapToken: tlsToken,
        })
      : undefined;
    if (!tls) logger.info({ port: settings.xdsTlsPort }, 'xDS over TLS off: no Citadel address (--citadel-address / CITADEL_ADDRESS); plaintext xDS only');
    const idleGc = settings.idleGc
      ? startIdleGc({ onCollect: ({ freedBytes, ms }) => logger.debug({ freedMb: Math.round(freedBytes / 1048576), ms: Math.round(ms) }, 'idle garbage collection') })
      : undefined;
    ctx.onShutdown(async () => {
      idleGc?.stop();
      pipeline.stop();
      ads.close();
      await Promise.all([shutdownServer(server, 3_000), tls?.close()]);
      await config.stop();
      await registries.stop();
      await credentials.stop();
    });
  },
});
