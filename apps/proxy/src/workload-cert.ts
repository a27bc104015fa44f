// The proxy's workload identity (istio-agent's job): when Citadel's address
// is set, a WorkloadCertManager obtains this proxy's SPIFFE certificate with
// the pod's projected service-account token (re-read for every CSR, checked
// by Citadel with TokenReview) or else the bootstrap token, keeps it rotated and serves it to the data plane as
// the `default` and `ROOTCA` secrets; the roots come from NATS KV
// sextant_trust. /certs on the admin port shows it the way Envoy's does.
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { NatsLink } from '@sextant/nats';
import type { Logger } from '@sextant/util';
import {
  CitadelClient,
  createIdentityMetrics,
  sanEntries,
  serviceAccountTokenReader,
  splitPem,
  subjectText,
  TrustBundleWatcher,
  WorkloadCertManager,
  type SpiffeIdentity,
} from '@sextant/workload-identity';

export interface WorkloadCertSettings {
  citadelAddress: string;
  bootstrapToken: string;
  bootstrapTokenFile: string;
  /** Projected Kubernetes service-account token; '' disables it. */
  saTokenFile: string;
  /** ms; 0 asks for Citadel's default. */
  certLifetime: number;
}

export interface WorkloadCerts {
  manager: WorkloadCertManager;
  close(): void;
}

/** Reads the token when needed: the file (re-read every time, a supervisor may replace it), else the setting. */
export function bootstrapTokenReader(s: Pick<WorkloadCertSettings, 'bootstrapToken' | 'bootstrapTokenFile'>, logger: Logger): () => string | undefined {
  return () => {
    if (s.bootstrapTokenFile) {
      try {
        return readFileSync(s.bootstrapTokenFile, 'utf8').trim() || undefined;
      } catch (err) {
        logger.warn({ file: s.bootstrapTokenFile, err: (err as Error).message }, 'cannot read the bootstrap token file (--bootstrap-token-file / SEXTANT_BOOTSTRAP_TOKEN_FILE)');
        return s.bootstrapToken || undefined;
      }
    }
    return s.bootstrapToken || undefined;
  };
}

export function startWorkloadCerts(opts: { settings: WorkloadCertSettings; identity: SpiffeIdentity; nats: NatsLink; logger: Logger; registry?: Registry }): WorkloadCerts {
  const { settings: s } = opts;
  const saToken = s.saTokenFile !== '' && existsSync(s.saTokenFile);
  if (!s.bootstrapToken && !s.bootstrapTokenFile && !saToken) {
    throw new Error(
      `citadel-address (CITADEL_ADDRESS) is set but there is no credential for Citadel: no service-account token at ${s.saTokenFile || '(--sa-token-file is empty)'} and no bootstrap token (SEXTANT_BOOTSTRAP_TOKEN or --bootstrap-token-file / SEXTANT_BOOTSTRAP_TOKEN_FILE)`,
    );
  }
  const logger = opts.logger.child({ scope: 'identity' });
  const trust = new TrustBundleWatcher({ nats: opts.nats, trustDomain: opts.identity.trustDomain, logger });
  const client = new CitadelClient({ address: s.citadelAddress });
  const manager = new WorkloadCertManager({
    identity: opts.identity,
    signer: client,
    bootstrapToken: bootstrapTokenReader(s, logger),
    // Present at start (in a pod it is): used for every CSR from then on.
    ...(saToken ? { serviceAccountToken: serviceAccountTokenReader(s.saTokenFile, logger) } : {}),
    trust,
    lifetimeSeconds: Math.round(s.certLifetime / 1000),
    logger,
    metrics: createIdentityMetrics(opts.registry),
  });
  trust.start();
  manager.start();
  return {
    manager,
    close() {
      manager.close();
      trust.close();
      client.close();
    },
  };
}

function certInfo(pem: string, now: number) {
  const x = new X509Certificate(pem);
  return {
    serial_number: x.serialNumber.toLowerCase(),
    subject: subjectText(x),
    subject_alt_names: sanEntries(x).map((e) => (e.startsWith('URI:') ? { uri: e.slice(4) } : e.startsWith('DNS:') ? { dns: e.slice(4) } : { other: e })),
    days_until_expiration: String(Math.floor((Date.parse(x.validTo) - now) / 86_400_000)),
    seconds_until_expiration: String(Math.floor((Date.parse(x.validTo) - now) / 1000)),
    valid_from: new Date(x.validFrom).toISOString(),
    expiration_time: new Date(x.validTo).toISOString(),
    fingerprint_sha256: x.fingerprint256,
  };
}

/** Envoy's /certs shape (ca_cert, cert_chain per certificate), plus the agent's view (identity, state, rotation). */
export function certsReport(manager: WorkloadCertManager | undefined, now = Date.now()) {
  if (!manager) return { certificates: [], identity: null, state: 'DISABLED', detail: 'no Citadel address configured (--citadel-address / CITADEL_ADDRESS)' };
  const status = manager.status(new Date(now));
  const cert = manager.current;
  const roots = manager.get('ROOTCA');
  const rootPems = roots?.kind === 'validationContext' ? splitPem(roots.trustedCaPem) : [];
  return {
    certificates: [{ ca_cert: rootPems.map((p) => certInfo(p, now)), cert_chain: cert ? splitPem(cert.chain).slice(0, Math.max(1, cert.chain.length - 1)).map((p) => certInfo(p, now)) : [] }],
    identity: status.identity,
    state: status.state,
    certificate: status.certificate ?? null,
    roots: status.roots,
    bundleVersion: status.bundleVersion ?? null,
    issuances: status.issuances,
    consecutiveFailures: status.consecutiveFailures,
    lastFailure: status.lastFailure ?? null,
  };
}
