// Citadel put together: the CA store, the authenticators, the signer and its
// gRPC handlers, trust-bundle publishing, root retirement on time, and the
// admin endpoints. The app only supplies settings and the shared runtime
// pieces (logger, admin server, NATS link, readiness).
//
// Callers prove who they are with a bootstrap token (first certificate), their
// current certificate (renewal), or a Kubernetes service-account token.
//
// Files under dataDir: ca/ (roots, state), admin.secret, bootstrap-token.key,
// bootstrap-tokens.used.
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AdminServer } from '@sextant/admin';
import type { NatsLink } from '@sextant/nats';
import { CaStore, bundleDocument, nextBundleChange, subjectText, type CaKeyType, type SigningAuthority, type TrustBundleDocument } from '@sextant/pki';
import type { IstioCertificateServiceHandlers } from '@sextant/proto';
import type { Logger } from '@sextant/util';
import { adminSecretPath, loadOrCreateAdminSecret, registerAdminRoutes, type CitadelAdminApi } from './admin-routes';
import { AuthenticatorChain, type Authenticator } from './authenticator';
import { BootstrapTokens, loadOrCreateTokenKey, type IssuedToken, type TokenPolicy, type TokenRequest } from './bootstrap-token';
import { CertificateSigner, createCaServiceHandlers } from './ca-service';
import { createCaMetrics, type CaMetrics } from './metrics';
import { FileReplayStore } from './replay-store';
import { RenewalAuthenticator } from './renewal-token';
import { TokenReviewAuthenticator } from './token-review';
import { TrustBundlePublisher } from './trust-bundle-publisher';

export interface CitadelOptions {
  dataDir: string;
  trustDomain: string;
  /** An Istio-style cacerts directory; empty or undefined: self-signed root. */
  pluggedDir?: string;
  rootKeyType: CaKeyType;
  rootTtlMs: number;
  rootOverlapMs: number;
  certTtlMs: number;
  maxCertTtlMs: number;
  token: TokenPolicy;
  /** Set inside a cluster: service-account tokens are checked with TokenReview. */
  kubernetes?: { kubeConfig: KubeConfig; audiences: string[] };
  adminAllowRemote: boolean;
  logger: Logger;
  admin: AdminServer;
  nats: NatsLink;
  setReady(name: string, ready: boolean, detail?: string): void;
  now?: () => Date;
}

const MAX_TIMER_MS = 3_600_000;

export class Citadel implements CitadelAdminApi {
  readonly handlers: IstioCertificateServiceHandlers;
  readonly metrics: CaMetrics;
  readonly tokens: BootstrapTokens;
  private readonly store: CaStore;
  private readonly publisher: TrustBundlePublisher;
  private readonly authenticator: AuthenticatorChain;
  private retireTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly opts: CitadelOptions) {
    const { logger } = opts;
    const now = opts.now ?? (() => new Date());
    if (opts.rootOverlapMs < opts.maxCertTtlMs) {
      logger.warn({ rootOverlapMs: opts.rootOverlapMs, maxCertTtlMs: opts.maxCertTtlMs }, 'root overlap is shorter than the longest certificate lifetime: after a rotation some certificates may stop verifying before they expire');
    }
    // Throws PkiError naming the file and the problem; the service then fails to start.
    this.store = CaStore.open({
      dataDir: opts.dataDir,
      trustDomain: opts.trustDomain,
      pluggedDir: opts.pluggedDir || undefined,
      rootKeyType: opts.rootKeyType,
      rootTtlMs: opts.rootTtlMs,
      overlapMs: opts.rootOverlapMs,
      now,
    });
    this.logStoreEvents();
    this.metrics = createCaMetrics(opts.admin.registry);
    this.metrics.bundleVersion.set(this.store.bundle.version);

    this.tokens = new BootstrapTokens({
      key: loadOrCreateTokenKey(join(opts.dataDir, 'bootstrap-token.key')),
      trustDomain: opts.trustDomain,
      policy: opts.token,
      replay: new FileReplayStore(join(opts.dataDir, 'bootstrap-tokens.used')),
      now: () => now().getTime(),
    });
    const renewal = new RenewalAuthenticator({
      trustDomain: opts.trustDomain,
      roots: () => this.store.bundle.anchors.map((a) => a.pem),
      now: () => now().getTime(),
    });
    const authenticators: Authenticator[] = [this.tokens, renewal];
    if (opts.kubernetes) {
      authenticators.push(new TokenReviewAuthenticator({ kubeConfig: opts.kubernetes.kubeConfig, trustDomain: opts.trustDomain, audiences: opts.kubernetes.audiences }));
    }
    this.authenticator = new AuthenticatorChain(authenticators);

    const signer = new CertificateSigner({
      authority: () => this.store.authority,
      authenticator: this.authenticator,
      lifetime: { defaultTtlMs: Math.min(opts.certTtlMs, opts.maxCertTtlMs), maxTtlMs: opts.maxCertTtlMs },
      now,
    });
    this.handlers = createCaServiceHandlers({ signer, logger: logger.child({ scope: 'ca-service' }), metrics: this.metrics });

    this.publisher = new TrustBundlePublisher({
      nats: opts.nats,
      document: () => this.bundleDocument(),
      logger: logger.child({ scope: 'trust-bundle' }),
      onState: (published, detail) => opts.setReady('trust-bundle', published, detail),
    });
    registerAdminRoutes({
      admin: opts.admin,
      api: this,
      secret: loadOrCreateAdminSecret(adminSecretPath(opts.dataDir)),
      allowRemote: opts.adminAllowRemote,
      logger: logger.child({ scope: 'ca-admin' }),
    });
  }

  /** Loads the CA (creating a root the first time), wires everything, starts publishing the bundle. */
  static start(opts: CitadelOptions): Citadel {
    const citadel = new Citadel(opts);
    const a = citadel.authority;
    opts.setReady('ca', true, `${citadel.store.mode} CA ${subjectText(a.cert)}; valid until ${a.notAfter.toISOString()}`);
    opts.setReady('trust-bundle', false, 'not published yet');
    citadel.publisher.start();
    citadel.scheduleRetirement();
    opts.logger.info(
      { mode: citadel.store.mode, trustDomain: opts.trustDomain, chain: a.chain.length, algorithm: a.algorithm.name, caNotAfter: a.notAfter.toISOString(), bundleVersion: citadel.store.bundle.version, authenticators: citadel.authenticator.kinds },
      'CA loaded',
    );
    return citadel;
  }

  get authority(): SigningAuthority {
    return this.store.authority;
  }

  issueToken(req: TokenRequest): IssuedToken {
    const issued = this.tokens.issue(req);
    this.metrics.tokensIssued.inc();
    return issued;
  }

  async rotateRoot(): Promise<{ previous: string; current: string; bundleVersion: number }> {
    const result = this.store.rotateRoot();
    this.logStoreEvents();
    this.metrics.rootRotations.inc();
    await this.bundleChanged();
    return { ...result, bundleVersion: this.store.bundle.version };
  }

  bundleDocument(): TrustBundleDocument {
    return bundleDocument(this.store.bundle, this.opts.trustDomain);
  }

  /** Resolves once the current bundle has been written to NATS (or NATS is down). */
  publishBundle(): Promise<void> {
    return this.publisher.publish();
  }

  summary(): Record<string, unknown> {
    const a = this.store.authority;
    return {
      mode: this.store.mode,
      trustDomain: this.opts.trustDomain,
      signingCertificate: { subject: subjectText(a.cert), fingerprint: a.cert.fingerprint256, notAfter: a.cert.validTo, algorithm: a.algorithm.name },
      chainLength: a.chain.length,
      certificateLifetime: { defaultMs: Math.min(this.opts.certTtlMs, this.opts.maxCertTtlMs), maxMs: this.opts.maxCertTtlMs },
      rootOverlapMs: this.opts.rootOverlapMs,
      authenticators: this.authenticator.kinds,
      bundle: { version: this.store.bundle.version, published: this.publisher.upToDate, roots: this.store.bundle.anchors.map(({ pem: _pem, ...rest }) => rest) },
    };
  }

  close(): void {
    this.publisher.close();
    if (this.retireTimer) clearTimeout(this.retireTimer);
  }

  private async bundleChanged(): Promise<void> {
    this.metrics.bundleVersion.set(this.store.bundle.version);
    this.opts.setReady('trust-bundle', false, `bundle v${this.store.bundle.version} not published yet`);
    this.scheduleRetirement();
    await this.publisher.publish();
  }

  /** Wakes up when a retiring root's time comes (checking at least hourly). */
  private scheduleRetirement(): void {
    if (this.retireTimer) clearTimeout(this.retireTimer);
    const next = nextBundleChange(this.store.bundle);
    const now = (this.opts.now ?? (() => new Date()))().getTime();
    const delay = next ? Math.max(0, Math.min(next.getTime() - now + 1, MAX_TIMER_MS)) : MAX_TIMER_MS;
    this.retireTimer = setTimeout(() => {
      if (this.store.prune()) {
        this.logStoreEvents();
        void this.bundleChanged();
      } else this.scheduleRetirement();
    }, delay);
    this.retireTimer.unref();
  }

  private logStoreEvents(): void {
    for (const e of this.store.drainEvents()) this.opts.logger.info({ event: e.event }, e.detail);
  }
}
