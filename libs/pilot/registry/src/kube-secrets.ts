// Gateway credentials from Kubernetes Secrets (Istio's credential
// controller): an @kubernetes/client-node informer on core/v1 Secrets in
// every namespace, each TLS-shaped Secret (kubernetes.io/tls, or Opaque with
// Istio's keys) converted by @sextant/credentials. Secrets of other types
// (service-account tokens, docker configs...) are not credentials and are
// ignored; a malformed credential is left out with its reason (`rejected()`).
// Listeners hear which `namespace/name` changed.
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type ObjectCache, type V1Secret } from '@kubernetes/client-node';
import { checkCredentialData, CREDENTIAL_SECRET_TYPES, formatSecretIssues, type TlsCredential } from '@sextant/credentials';
import type { Logger } from '@sextant/util';
import { RegistryError } from './errors';

export type KubeSecretConversion =
  /** Not a TLS credential Secret: ignored. */
  | { kind: 'ignored'; key: string }
  | { kind: 'credential'; key: string; credential: TlsCredential }
  | { kind: 'rejected'; key: string; reason: string };

/** One Secret as the API server sends it (`data` base64) to a credential, or why not. */
export function convertKubeSecret(secret: V1Secret): KubeSecretConversion {
  const key = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
  const type = secret.type ?? 'Opaque';
  if (!CREDENTIAL_SECRET_TYPES.includes(type)) return { kind: 'ignored', key };
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = Buffer.from(v, 'utf8').toString('base64');
  // An Opaque Secret without any TLS key is some other application's secret, not a broken credential.
  if (type === 'Opaque' && !['tls.crt', 'tls.key', 'ca.crt', 'cert', 'key', 'cacert'].some((k) => k in data)) return { kind: 'ignored', key };
  // Expiry is not checked: what a gateway serves is the Secret owner's call (Istio serves it too).
  const checked = checkCredentialData(type, data, undefined);
  if (checked.errors.length) return { kind: 'rejected', key, reason: formatSecretIssues(checked.errors).replace(/\n/g, '; ') };
  return { kind: 'credential', key, credential: checked.credential };
}

export interface KubeSecretWatcherOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
}

type Watched = Informer<V1Secret> & ObjectCache<V1Secret>;
export type SecretListener = (keys: string[]) => void;

export class KubeSecretWatcher {
  private readonly log: Logger;
  private informer: Watched | undefined;
  private readonly creds = new Map<string, TlsCredential>();
  private readonly reasons = new Map<string, string>();
  private readonly listeners = new Set<SecretListener>();
  private isSynced = false;
  private stopped = false;

  constructor(private readonly opts: KubeSecretWatcherOptions) {
    this.log = opts.logger.child({ scope: 'registry-kube-secrets' });
  }

  get synced(): boolean {
    return this.isSynced;
  }

  /** The credentials by `namespace/name`. */
  credentials(): ReadonlyMap<string, TlsCredential> {
    return this.creds;
  }

  /** Credential Secrets left out, with why. */
  rejected(): ReadonlyMap<string, string> {
    return this.reasons;
  }

  onChange(listener: SecretListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one informer event (also the seam the tests drive). */
  update(secret: V1Secret, deleted = false): void {
    const conv = convertKubeSecret(secret);
    const had = this.creds.has(conv.key) || this.reasons.has(conv.key);
    this.creds.delete(conv.key);
    this.reasons.delete(conv.key);
    if (!deleted && conv.kind === 'credential') this.creds.set(conv.key, conv.credential);
    if (!deleted && conv.kind === 'rejected') {
      this.reasons.set(conv.key, conv.reason);
      this.log.warn({ secret: conv.key, reason: conv.reason }, 'Kubernetes Secret is not a usable TLS credential; gateways will not get it');
    }
    if (had || conv.kind !== 'ignored') this.emit([conv.key]);
  }

  async start(): Promise<void> {
    const kc = this.opts.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const inf = makeInformer(kc, '/api/v1/secrets', () => core.listSecretForAllNamespaces());
    this.informer = inf;
    inf.on('add', (s) => this.update(s));
    inf.on('update', (s) => this.update(s));
    inf.on('delete', (s) => this.update(s, true));
    inf.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.log.warn({ err }, 'Kubernetes Secret watch failed; restarting');
      setTimeout(() => {
        if (!this.stopped) void inf.start().catch((e: unknown) => this.log.warn({ err: e }, 'Kubernetes Secret watch restart failed'));
      }, 1000).unref?.();
    });
    try {
      await inf.start();
    } catch (err) {
      throw new RegistryError('REGISTRY_SYNC_UNAVAILABLE', `cannot list Secrets from the Kubernetes API: ${(err as Error).message}`, { cause: err });
    }
    this.isSynced = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer?.stop();
  }

  private emit(keys: string[]): void {
    for (const l of this.listeners) {
      try {
        l(keys);
      } catch (err) {
        this.log.error({ err }, 'Secret listener failed');
      }
    }
  }
}
