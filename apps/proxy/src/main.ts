// The data plane: sidecar, ingress gateway or egress gateway (one binary).
// Wiring only: workload identity -> certificate from Citadel (when
// configured) -> xDS client (Pilot) -> data plane, with Envoy-like admin
// endpoints on the admin port (/certs among them) and /healthz/ready on the
// health port. SIGTERM drains (runService runs the shutdown hooks).
import { requireOriginalDst } from '@sextant/capture';
import { adminRoutes, Dataplane, startHealthServer, type AdminDeps } from '@sextant/dataplane';
import { runService } from '@sextant/runtime';
import { WORKLOAD_ENV, workloadFromEnv } from '@sextant/workloads';
import { configDump, XdsClient } from '@sextant/xds-client';
import { PROXY_SETTINGS } from './features';
import { proxyIdentity } from './identity';
import { certsReport, startWorkloadCerts } from './workload-cert';
import { xdsTlsOptions } from './xds-tls';

const VERSION = '0.1.0';
/** Istio's capture ports as the configuration names them. */
const OUTBOUND_CAPTURE = 15001;
const INBOUND_CAPTURE = 15006;

await runService({
  name: 'proxy',
  description: 'xDS-driven sidecar and gateway',
  settings: PROXY_SETTINGS,
  async start(ctx) {
    const s = ctx.settings;
    const mode = s.mode as 'sidecar' | 'ingress' | 'egress';
    const workload = workloadFromEnv(process.env);
    const { node, self } = proxyIdentity({
      mode,
      workload,
      named: process.env[WORKLOAD_ENV.name] !== undefined,
      ports: { outbound: s.outboundPort, inbound: s.inboundPort, admin: s.adminPort, health: s.healthPort },
      clusterId: s.clusterId,
      trustDomain: s.trustDomain,
      version: VERSION,
      appAddress: process.env[WORKLOAD_ENV.appAddress],
      interceptionMode: s.interceptionMode as 'NONE' | 'REDIRECT',
    });
    const sidecar = mode === 'sidecar';
    // REDIRECT: iptables bring connections to 0.0.0.0:15001/15006; SO_ORIGINAL_DST says where they were going.
    const transparent = sidecar && s.interceptionMode === 'REDIRECT';
    const log = ctx.logger;
    // The workload certificate, like istio-agent's: obtained at start, rotated, served as SDS `default`/`ROOTCA`.
    const certs = s.citadelAddress
      ? startWorkloadCerts({
          settings: s,
          identity: { trustDomain: s.trustDomain, namespace: self.namespace, serviceAccount: self.serviceAccount },
          nats: ctx.nats,
          logger: log,
          registry: ctx.admin.registry,
        })
      : undefined;
    if (certs) {
      ctx.setReady('certificate', false, `waiting for ${certs.manager.spiffeId} from Citadel at ${s.citadelAddress}`);
      certs.manager.onChange((name) => {
        const c = certs.manager.current;
        if (name === 'default' && c) ctx.setReady('certificate', true, `${c.spiffeId} serial ${c.serial} until ${c.notAfter.toISOString()}`);
      });
    }
    const dataplane = new Dataplane({
      mode,
      self,
      // Explicit inbound traffic without a filter chain of its own passes through to where the app listens.
      workloadAddress: (sidecar && process.env[WORKLOAD_ENV.appAddress]) || workload.address,
      ...(s.listenerHost ? { bindHost: s.listenerHost } : sidecar && !transparent ? { bindHost: workload.address } : {}),
      ...(transparent ? { originalDst: requireOriginalDst() } : {}),
      portMap: { [OUTBOUND_CAPTURE]: s.outboundPort, [INBOUND_CAPTURE]: s.inboundPort },
      ...(sidecar ? { explicitOutboundPort: OUTBOUND_CAPTURE } : {}),
      sniffTimeoutMs: s.sniffTimeout,
      appPorts: sidecar ? workload.ports : [],
      accessLog: { logger: log.child({ scope: 'access' }), mode: s.accessLog as 'config' | 'on' | 'off' },
      logger: log,
      defaultRetries: s.defaultRetries as 'safe' | 'none',
      exchangePeerMetadata: s.peerMetadata,
      ...(certs ? { secrets: certs.manager } : {}),
    });
    // xDS over mTLS (Pilot's 15012) with the workload certificate, when chosen (./xds-tls.ts).
    const tls = xdsTlsOptions(s, certs?.manager);
    const xds = new XdsClient({ address: s.pilotAddress, identity: node, protocol: s.xdsProtocol as 'auto' | 'delta' | 'sotw', warmTimeoutMs: s.warmTimeout, logger: log, ...(tls ? { tls } : {}) });
    xds.onSnapshot((snap) => {
      dataplane.apply(snap).catch((err: Error) => log.error({ err, version: snap.version }, 'could not apply every listener'));
    });
    // Sidecars proxy explicitly from the start, before Pilot says anything.
    if (sidecar) await dataplane.apply(xds.snapshot);

    let quitting = false;
    const deps: AdminDeps = {
      dataplane,
      xds: { get ready() { return xds.ready; }, configDump: () => configDump(xds.state), status: () => xds.status() },
      setLogLevel: (level) => {
        log.level = level;
        return log.level;
      },
      logLevel: () => log.level,
      quit: () => {
        if (quitting) return;
        quitting = true;
        process.kill(process.pid, 'SIGTERM');
      },
      // Ready once the first certificate is in hand too (when Citadel is configured).
      extraReady: () => (certs && !certs.manager.hasCertificate ? { ready: false, detail: `waiting for ${certs.manager.spiffeId}` } : { ready: true }),
      serverInfo: { version: VERSION, mode, node: xds.node.id, pilot: s.pilotAddress, xdsTransport: tls ? 'tls' : 'plaintext', ...(certs ? { identity: certs.manager.spiffeId, citadel: s.citadelAddress } : {}) },
    };
    ctx.admin.app.get('/certs', async (_req, reply) => reply.header('content-type', 'application/json').send(`${JSON.stringify(certsReport(certs?.manager), null, 2)}\n`));
    for (const r of adminRoutes(deps)) {
      ctx.admin.app.route({
        method: r.method === 'POST' && r.path === '/logging' ? ['GET', 'POST'] : r.method,
        url: r.path,
        handler: async (req, reply) => {
          const out = await r.handle(new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : ''));
          return reply.code(out.status).header('content-type', out.contentType).send(out.body);
        },
      });
    }
    const health = await startHealthServer(deps, ctx.settings.host, s.healthPort);

    ctx.onShutdown(async () => {
      log.info({ drainMs: s.drainDuration, inFlight: dataplane.inFlight() }, 'draining');
      await dataplane.drain(s.drainDuration);
      await xds.close();
      certs?.close();
      await new Promise<void>((r) => health.close(() => r()));
    });
    if (tls && certs && !certs.manager.hasCertificate) {
      // Over TLS the first stream needs the certificate: start once it is in hand.
      const off = certs.manager.onChange(() => {
        if (!certs.manager.hasCertificate) return;
        off();
        xds.start();
      });
    } else xds.start();
    log.info({ mode, node: xds.node.id, pilot: s.pilotAddress, xds: tls ? `mTLS, Pilot ${tls.serverIdentity}` : 'plaintext', outbound: sidecar ? `${workload.address}:${s.outboundPort}` : undefined }, 'proxy started');
  },
});
