// xDS over TLS on 15012, as istiod serves it, with Citadel as a separate CA:
// Pilot obtains its own SPIFFE certificate from Citadel (bootstrap token
// first, renewal afterwards; WorkloadCertManager rotates it at ~80 % of its
// lifetime), serves ADS on the TLS port with it, and requires every client
// to present a certificate chained to the mesh roots (NATS KV sextant_trust)
// whose identity agrees with the node it claims (@sextant/xds-server
// tls-auth). A rotation, of the certificate or of the roots, changes the
// running server's secure context: open xDS streams stay. Refusals are
// logged and counted on the admin port (/metrics).
import { readFileSync } from 'node:fs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import type { NatsLink } from '@sextant/nats';
import type { Logger } from '@sextant/util';
import { CitadelClient, createIdentityMetrics, ROOT_CA_SECRET, TrustBundleWatcher, WORKLOAD_CERT_SECRET, WorkloadCertManager } from '@sextant/workload-identity';
import { RotatingServerCredentials, tlsAuthorizer, type AdsServer, type XdsServingCredentials } from '@sextant/xds-server';

export interface XdsTlsSettings {
  host: string;
  xdsTlsPort: number;
  citadelAddress: string;
  bootstrapToken: string;
  bootstrapTokenFile: string;
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
  /** ms; 0: Citadel's default. */
  certLifetime: number;
}

export interface XdsTlsDeps {
  settings: XdsTlsSettings;
  ads: AdsServer;
  nats: NatsLink;
  logger: Logger;
  registry: Registry;
  setReady(ready: boolean, detail: string): void;
  /** Reads the bootstrap token when one is needed (the file is re-read: the supervisor may replace it). */
  bootstrapToken: () => string | undefined;
}

export interface XdsTls {
  manager: WorkloadCertManager;
  /** The bound TLS port, once serving. */
  port(): number | undefined;
  close(): Promise<void>;
}

function tlsMetrics(registry: Registry, ads: AdsServer) {
  const registers = [registry];
  const refused = new Counter({ name: 'sextant_pilot_xds_tls_refused_total', help: 'xDS streams refused on the TLS port, by reason.', labelNames: ['reason'], registers });
  const accepted = new Counter({ name: 'sextant_pilot_xds_tls_accepted_total', help: 'xDS streams on the TLS port whose client certificate was accepted.', registers });
  new Gauge({
    name: 'sextant_pilot_xds_tls_connections',
    help: 'Connected xDS streams on the TLS port (authenticated by client certificate).',
    registers,
    collect() {
      this.set(ads.authenticatedCount);
    },
  });
  const rotations = new Counter({ name: 'sextant_pilot_xds_tls_credential_updates_total', help: "Updates of the TLS port's secure context, by what changed.", labelNames: ['what'], registers });
  return { refused, accepted, rotations };
}

/** Reads the bootstrap token when needed: the file (re-read every time), else the setting. */
export function bootstrapTokenReader(s: Pick<XdsTlsSettings, 'bootstrapToken' | 'bootstrapTokenFile'>, logger: Logger): () => string | undefined {
  if (!s.bootstrapToken && !s.bootstrapTokenFile) {
    throw new Error('citadel-address (CITADEL_ADDRESS) is set but no bootstrap token is: set SEXTANT_BOOTSTRAP_TOKEN or --bootstrap-token-file (SEXTANT_BOOTSTRAP_TOKEN_FILE)');
  }
  return () => {
    if (!s.bootstrapTokenFile) return s.bootstrapToken || undefined;
    try {
      return readFileSync(s.bootstrapTokenFile, 'utf8').trim() || undefined;
    } catch (err) {
      logger.warn({ file: s.bootstrapTokenFile, err: (err as Error).message }, 'cannot read the bootstrap token file (--bootstrap-token-file / SEXTANT_BOOTSTRAP_TOKEN_FILE)');
      return s.bootstrapToken || undefined;
    }
  };
}

/** Starts obtaining Pilot's certificate; the TLS port is bound once the first one is in hand. */
export function startXdsTls(deps: XdsTlsDeps): XdsTls {
  const { settings: s, logger } = deps;
  const log = logger.child({ scope: 'xds-tls' });
  const identity = { trustDomain: s.trustDomain, namespace: s.namespace, serviceAccount: s.serviceAccount };
  const trust = new TrustBundleWatcher({ nats: deps.nats, trustDomain: s.trustDomain, logger: log });
  const citadel = new CitadelClient({ address: s.citadelAddress });
  const manager = new WorkloadCertManager({
    identity,
    signer: citadel,
    bootstrapToken: deps.bootstrapToken,
    trust,
    lifetimeSeconds: Math.round(s.certLifetime / 1000),
    logger: log,
    metrics: createIdentityMetrics(deps.registry),
  });
  const metrics = tlsMetrics(deps.registry, deps.ads);
  const server = createServer();
  deps.ads.attach(server, {
    authorize: tlsAuthorizer({
      roots: () => trust.roots(),
      trustDomain: s.trustDomain,
      logger,
      onAccepted: () => metrics.accepted.inc(),
      onRefused: (reason) => metrics.refused.inc({ reason }),
    }),
  });

  let credentials: RotatingServerCredentials | undefined;
  let bound: number | undefined;
  let closed = false;
  const current = (): XdsServingCredentials | undefined => {
    const cert = manager.get(WORKLOAD_CERT_SECRET);
    const roots = manager.get(ROOT_CA_SECRET);
    if (cert?.kind !== 'tlsCertificate' || roots?.kind !== 'validationContext') return undefined;
    return { certChainPem: cert.certChainPem, privateKeyPem: cert.privateKeyPem, rootsPem: roots.trustedCaPem };
  };
  const describe = () => {
    const c = manager.current;
    return c ? `${c.spiffeId} serial ${c.serial} until ${c.notAfter.toISOString()}` : manager.spiffeId;
  };

  deps.setReady(false, `waiting for ${manager.spiffeId} from Citadel at ${s.citadelAddress}`);
  manager.onChange((name) => {
    const next = current();
    if (!next || closed) return;
    if (credentials) {
      credentials.update(next);
      metrics.rotations.inc({ what: name === ROOT_CA_SECRET ? 'roots' : 'certificate' });
      if (bound !== undefined) deps.setReady(true, `${s.host}:${bound} as ${describe()}`);
      log.info({ port: bound, secret: name, certificate: describe() }, 'xDS TLS credentials updated; open streams keep their connections');
      return;
    }
    credentials = new RotatingServerCredentials(next);
    bindServer(server, s.host, s.xdsTlsPort, credentials).then(
      (port) => {
        bound = port;
        log.info({ xdsTls: `${s.host}:${port}`, identity: manager.spiffeId }, 'xDS over TLS listening (client certificates required)');
        deps.setReady(true, `${s.host}:${port} as ${describe()}`);
      },
      (err: Error) => {
        log.error({ err }, 'cannot serve xDS over TLS');
        deps.setReady(false, err.message);
      },
    );
  });
  trust.start();
  manager.start();
  return {
    manager,
    port: () => bound,
    async close() {
      closed = true;
      manager.close();
      trust.close();
      citadel.close();
      await shutdownServer(server, 3_000);
    },
  };
}
