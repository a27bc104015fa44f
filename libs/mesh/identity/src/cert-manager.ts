// WorkloadCertManager: keeps one workload's SPIFFE certificate fresh, like
// istio-agent. A new ECDSA P-256 key and CSR per issuance; the first one is
// authenticated with the bootstrap token, later ones with a renewal token
// made from the certificate in hand; in a pod, every one with the projected
// Kubernetes service-account token (read afresh for each CSR). What Citadel answers is checked (it
// chains to a root of the trust bundle, names exactly our identity, certifies
// our key) before it replaces anything: the current certificate is served
// until a better one is in hand. Rotation at ~80 % of the lifetime (minus
// jitter, so a fleet does not renew in step), retries with jittered
// exponential backoff, and an early rotation when the signing root changes.
// Serves the data plane's `default` and `ROOTCA` secrets.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { Logger } from '@sextant/util';
import { CitadelCallError, type CertificateSigner } from './ca-client';
import { checkIssuedChain, subjectText, verifyChain } from './chain';
import { buildWorkloadCsr, generateWorkloadKey } from './csr';
import type { IdentityMetrics } from './metrics';
import { createRenewalToken } from './renewal-token';
import { ROOT_CA_SECRET, WORKLOAD_CERT_SECRET, type SecretProvider, type SecretValue } from './secrets';
import { spiffeIdOf, type SpiffeIdentity } from './spiffe';
import type { TrustSource } from './trust-watcher';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WorkloadCertManagerOptions {
  identity: SpiffeIdentity;
  signer: CertificateSigner;
  /** Reads the bootstrap token (environment or file) when one is needed; undefined when there is none. */
  bootstrapToken: () => string | undefined;
  /**
   * Reads the Kubernetes service-account token (the projected istio-token
   * file), once per CSR: the kubelet rotates it. When it yields a token,
   * every CSR is authenticated with it, as istio-agent does in a pod;
   * when it yields none, renewal and the bootstrap token are used.
   */
  serviceAccountToken?: () => string | undefined;
  trust: TrustSource;
  /** Lifetime asked of Citadel, seconds; 0 (default) takes Citadel's default. */
  lifetimeSeconds?: number;
  /** Share of the lifetime after which to rotate. Default 0.8. */
  rotationRatio?: number;
  /** Up to this share of the lifetime is taken off the rotation time at random. Default 0.05. */
  jitterRatio?: number;
  retry?: { initialMs?: number; maxMs?: number };
  /** How long one attempt waits for the trust bundle before failing. Default 10 s. */
  trustWaitMs?: number;
  /** Longest random delay of the early rotation after a change of signing root. Default 5 s. */
  rootChangeJitterMs?: number;
  logger: Logger;
  metrics?: IdentityMetrics;
  random?: () => number;
}

export interface WorkloadCertificate {
  spiffeId: string;
  /** Leaf first, then intermediates and root, as Citadel answered. */
  chain: string[];
  privateKeyPem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  issuedAt: Date;
  rotateAt: Date;
  /** Fingerprint of the trusted root the chain ends at. */
  root: string;
  method: 'bootstrap-token' | 'renewal' | 'kubernetes';
}

export interface CertFailure {
  at: string;
  stage: 'trust' | 'token' | 'sign' | 'validate';
  code: string;
  message: string;
}

class AttemptError extends Error {
  constructor(readonly stage: CertFailure['stage'], readonly code: string, message: string) {
    super(message);
  }
}

export class WorkloadCertManager implements SecretProvider {
  readonly spiffeId: string;
  private cert: WorkloadCertificate | undefined;
  private key: KeyObject | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private renewalRefused = false;
  private readonly spentTokens = new Set<string>();
  private running: Promise<void> | undefined;
  private readonly listeners = new Set<(name: string) => void>();
  private readonly waiters = new Set<() => void>();
  private offTrust: (() => void) | undefined;
  private closed = false;
  private lastFailure: CertFailure | undefined;
  private issuances = 0;
  /** Bundle version an early rotation was last scheduled for (at most one per version). */
  private earlyFor: number | undefined;
  private recheckRoot = false;
  private readonly random: () => number;

  constructor(private readonly opts: WorkloadCertManagerOptions) {
    this.spiffeId = spiffeIdOf(opts.identity);
    this.random = opts.random ?? Math.random;
    const ratio = opts.rotationRatio ?? 0.8;
    if (!(ratio > 0 && ratio < 1)) throw new Error(`rotationRatio ${ratio} must be between 0 and 1`);
    if ((opts.lifetimeSeconds ?? 0) < 0) throw new Error(`lifetimeSeconds ${opts.lifetimeSeconds} must be 0 (Citadel's default) or positive`);
  }

  /** Starts obtaining the first certificate (in the background, retrying until it succeeds). */
  start(): void {
    this.offTrust = this.opts.trust.onChange(() => this.trustChanged());
    this.opts.metrics?.roots.set(this.opts.trust.roots().length);
    this.schedule(0, 'initial');
  }

  get current(): WorkloadCertificate | undefined {
    return this.cert;
  }

  get hasCertificate(): boolean {
    return this.cert !== undefined;
  }

  /** Resolves with the first certificate (at once when there is one). */
  ready(timeoutMs = 60_000): Promise<WorkloadCertificate> {
    if (this.cert) return Promise.resolve(this.cert);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        if (this.cert) resolve(this.cert);
        else reject(new Error(`no certificate for ${this.spiffeId}: the manager was closed`));
      };
      const t = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`no certificate for ${this.spiffeId} after ${timeoutMs} ms${this.lastFailure ? `; last failure: ${this.lastFailure.message}` : ''}`));
      }, timeoutMs);
      this.waiters.add(done);
    });
  }

  get(name: string): SecretValue | undefined {
    if (name === WORKLOAD_CERT_SECRET && this.cert) {
      return { kind: 'tlsCertificate', certChainPem: this.chainPem(this.cert), privateKeyPem: this.cert.privateKeyPem, notAfter: this.cert.notAfter };
    }
    if (name === ROOT_CA_SECRET) {
      const roots = this.opts.trust.roots();
      return roots.length ? { kind: 'validationContext', trustedCaPem: roots.map((r) => `${r.trim()}\n`).join('') } : undefined;
    }
    return undefined;
  }

  onChange(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rotates now (unless an attempt is running); resolves when that attempt ends. */
  rotateNow(reason = 'requested'): Promise<void> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    return this.attempt(reason);
  }

  /** What /certs shows. */
  status(now = new Date()) {
    const c = this.cert;
    return {
      identity: this.spiffeId,
      state: !c ? 'PENDING' : c.notAfter.getTime() <= now.getTime() ? 'EXPIRED' : 'VALID',
      certificate: c && {
        serial: c.serial,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        daysUntilExpiry: +((c.notAfter.getTime() - now.getTime()) / 86_400_000).toFixed(4),
        rotateAt: c.rotateAt.toISOString(),
        issuedAt: c.issuedAt.toISOString(),
        method: c.method,
        root: c.root,
        chainLength: c.chain.length,
      },
      roots: this.opts.trust.roots().map((pem) => {
        const x = new X509Certificate(pem);
        return { fingerprint: x.fingerprint256, subject: subjectText(x), notAfter: new Date(x.validTo).toISOString(), daysUntilExpiry: +((Date.parse(x.validTo) - now.getTime()) / 86_400_000).toFixed(2) };
      }),
      bundleVersion: this.opts.trust.version(),
      issuances: this.issuances,
      consecutiveFailures: this.failures,
      lastFailure: this.lastFailure,
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.offTrust?.();
    for (const w of [...this.waiters]) w();
  }

  private chainPem(c: WorkloadCertificate): string {
    // Leaf and intermediates: the root is what peers already hold (ROOTCA).
    const links = c.chain.length > 1 ? c.chain.slice(0, -1) : c.chain;
    return links.map((p) => `${p.trim()}\n`).join('');
  }

  private emit(name: string): void {
    for (const l of this.listeners) {
      try {
        l(name);
      } catch (err) {
        this.opts.logger.error({ err, secret: name }, 'secret listener failed');
      }
    }
  }

  private schedule(delayMs: number, reason: string): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(reason), Math.max(0, Math.min(delayMs, MAX_TIMER_MS)));
    this.timer.unref();
  }

  private attempt(reason: string): Promise<void> {
    if (this.running || this.closed) return this.running ?? Promise.resolve();
    this.running = this.obtain(reason).finally(() => {
      this.running = undefined;
      if (this.recheckRoot) {
        this.recheckRoot = false;
        this.checkSigningRoot();
      }
    });
    return this.running;
  }

  private async obtain(reason: string): Promise<void> {
    const rotation = this.cert !== undefined;
    try {
      const issued = await this.issue();
      this.install(issued, rotation, reason);
    } catch (err) {
      const e = err instanceof AttemptError ? err : new AttemptError('sign', 'INTERNAL', (err as Error).message);
      this.failures++;
      this.lastFailure = { at: new Date().toISOString(), stage: e.stage, code: e.code, message: e.message };
      this.opts.metrics?.failures.inc({ stage: e.stage, code: e.code });
      const initial = this.opts.retry?.initialMs ?? 1_000;
      const max = this.opts.retry?.maxMs ?? 60_000;
      const delay = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 30)) * (0.5 + this.random() / 2);
      this.opts.logger.warn(
        { identity: this.spiffeId, stage: e.stage, code: e.code, reason, failures: this.failures, retryInMs: Math.round(delay), current: this.cert && { serial: this.cert.serial, notAfter: this.cert.notAfter.toISOString() } },
        `workload certificate ${rotation ? 'rotation' : 'issuance'} failed: ${e.message}`,
      );
      this.schedule(delay, reason);
    }
  }

  private async issue(): Promise<{ chain: string[]; key: ReturnType<typeof generateWorkloadKey>; method: WorkloadCertificate['method']; root: string; leaf: X509Certificate }> {
    await this.waitForRoots();
    const key = generateWorkloadKey();
    const csr = buildWorkloadCsr(key, this.spiffeId);
    const now = Date.now();
    let token: string;
    let method: WorkloadCertificate['method'];
    // Renew while the certificate will still be valid when Citadel checks it (a small margin, scaled for short lifetimes).
    const margin = this.cert ? Math.min(1_000, (this.cert.notAfter.getTime() - this.cert.issuedAt.getTime()) * 0.05) : 0;
    const saToken = this.opts.serviceAccountToken?.()?.trim();
    if (saToken) {
      token = saToken;
      method = 'kubernetes';
    } else if (this.cert && this.key && !this.renewalRefused && this.cert.notAfter.getTime() > now + margin) {
      token = createRenewalToken({ chain: this.cert.chain, key: this.key, csr, nowMs: now });
      method = 'renewal';
    } else {
      const bootstrap = this.opts.bootstrapToken()?.trim();
      if (!bootstrap) {
        const what = this.opts.serviceAccountToken ? 'no service-account token, no bootstrap token' : 'no bootstrap token';
        throw new AttemptError('token', 'NO_BOOTSTRAP_TOKEN', `${what} for ${this.spiffeId} and no valid certificate to renew with`);
      }
      if (this.spentTokens.has(bootstrap)) throw new AttemptError('token', 'BOOTSTRAP_TOKEN_SPENT', `the bootstrap token for ${this.spiffeId} was already used; a new one is needed`);
      token = bootstrap;
      method = 'bootstrap-token';
    }
    let chain: string[];
    try {
      chain = await this.opts.signer.createCertificate({ csr, token, validitySeconds: this.opts.lifetimeSeconds ?? 0 });
      if (method === 'bootstrap-token') this.spentTokens.add(token);
    } catch (err) {
      // Citadel counts a use once it accepts the token, even when it then refuses the CSR;
      // only a call that never reached it leaves the token good.
      if (method === 'bootstrap-token' && !(err instanceof CitadelCallError && err.unreached)) this.spentTokens.add(token);
      if (err instanceof CitadelCallError) {
        if (method === 'renewal' && err.unauthenticated) this.renewalRefused = true;
        throw new AttemptError('sign', err.code, err.message);
      }
      throw new AttemptError('sign', 'UNAVAILABLE', `Citadel call failed: ${(err as Error).message}`);
    }
    const checked = checkIssuedChain(chain, this.opts.trust.roots(), { spiffeId: this.spiffeId, publicKeyDer: key.publicKeyDer });
    if (!checked.ok) throw new AttemptError('validate', 'CHAIN_REFUSED', `Citadel's answer is not acceptable: ${checked.errors[0]}`);
    return { chain, key, method, root: checked.value.root, leaf: checked.value.leaf };
  }

  private install(issued: Awaited<ReturnType<WorkloadCertManager['issue']>>, rotation: boolean, reason: string): void {
    const issuedAt = new Date();
    const notAfter = new Date(issued.leaf.validTo);
    const lifetime = Math.max(0, notAfter.getTime() - issuedAt.getTime());
    const ratio = (this.opts.rotationRatio ?? 0.8) - (this.opts.jitterRatio ?? 0.05) * this.random();
    const rotateAt = new Date(issuedAt.getTime() + Math.max(1_000, lifetime * ratio));
    const previous = this.cert;
    this.cert = {
      spiffeId: this.spiffeId,
      chain: issued.chain,
      privateKeyPem: issued.key.privateKeyPem,
      serial: issued.leaf.serialNumber,
      notBefore: new Date(issued.leaf.validFrom),
      notAfter,
      issuedAt,
      rotateAt,
      root: issued.root,
      method: issued.method,
    };
    this.key = createPrivateKey(issued.key.privateKeyPem);
    this.failures = 0;
    this.renewalRefused = false;
    this.lastFailure = undefined;
    this.issuances++;
    this.opts.metrics?.issued.inc({ kind: rotation ? 'rotation' : 'initial', method: issued.method });
    this.opts.metrics?.expiry.set(notAfter.getTime() / 1000);
    this.opts.logger.info(
      { identity: this.spiffeId, serial: this.cert.serial, notAfter: notAfter.toISOString(), rotateAt: rotateAt.toISOString(), method: issued.method, reason, previousSerial: previous?.serial, root: issued.root },
      rotation ? 'workload certificate rotated' : 'workload certificate issued',
    );
    this.emit(WORKLOAD_CERT_SECRET);
    for (const w of [...this.waiters]) w();
    this.schedule(rotateAt.getTime() - Date.now(), 'rotation');
  }

  private async waitForRoots(): Promise<void> {
    if (this.opts.trust.roots().length) return;
    const waitMs = this.opts.trustWaitMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new AttemptError('trust', 'NO_TRUST_BUNDLE', `no trust bundle after ${waitMs} ms (NATS KV sextant_trust); not spending the bootstrap token before it can be checked`));
      }, waitMs);
      const off = this.opts.trust.onChange(() => {
        if (!this.opts.trust.roots().length) return;
        clearTimeout(t);
        off();
        resolve();
      });
    });
  }

  private trustChanged(): void {
    this.opts.metrics?.roots.set(this.opts.trust.roots().length);
    this.emit(ROOT_CA_SECRET);
    this.checkSigningRoot();
  }

  /** Rotates early (once per bundle version) when our chain no longer ends at the bundle's signing root. */
  private checkSigningRoot(): void {
    const roots = this.opts.trust.roots();
    const c = this.cert;
    if (!c || this.closed || roots.length === 0) return;
    if (this.running) {
      this.recheckRoot = true; // the certificate being obtained decides
      return;
    }
    const verified = verifyChain(c.chain, roots);
    const signing = new X509Certificate(roots[0]).fingerprint256;
    if (verified.ok && verified.value.root === signing) return;
    const version = this.opts.trust.version();
    if (version !== undefined && this.earlyFor === version) return;
    this.earlyFor = version;
    const why = verified.ok ? 'the signing root changed' : `the certificate no longer verifies (${verified.errors[0]})`;
    const delay = this.random() * (this.opts.rootChangeJitterMs ?? 5_000);
    this.opts.logger.info({ identity: this.spiffeId, serial: c.serial, inMs: Math.round(delay), bundleVersion: version }, `trust bundle changed: ${why}; rotating early`);
    this.schedule(delay, 'trust bundle change');
  }
}
