// Pilot's gateway credentials, wired: the registry (credential-registry.ts)
// fed by the config bucket (credential-feed.ts) and, in a cluster, by a
// Kubernetes Secret informer (@sextant/registry). Kubernetes Secrets win a
// name both sources have, as they are the cluster's source of truth.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConfigWatch } from '@sextant/config-store';
import { KubeSecretWatcher } from '@sextant/registry';
import type { Logger } from '@sextant/util';
import { CONFIG_SOURCE, divertSecrets } from './credential-feed';
import { CredentialRegistry } from './credential-registry';

export const KUBERNETES_SOURCE = 'kubernetes';

export interface Credentials {
  registry: CredentialRegistry;
  /** The config watch without its Secrets (they go to the registry). */
  divert(watch: ConfigWatch): ConfigWatch;
  start(): void;
  stop(): Promise<void>;
}

export function createCredentials(opts: { logger: Logger; kubeConfig?: KubeConfig }): Credentials {
  const registry = new CredentialRegistry([KUBERNETES_SOURCE, CONFIG_SOURCE]);
  const kube = opts.kubeConfig ? new KubeSecretWatcher({ kubeConfig: opts.kubeConfig, logger: opts.logger }) : undefined;
  kube?.onChange((keys) => {
    const all = kube.credentials();
    const rejected = new Map([...kube.rejected()].filter(([k]) => keys.includes(k)));
    registry.apply(KUBERNETES_SOURCE, new Map(keys.map((k) => [k, all.get(k)])), false, rejected);
  });
  return {
    registry,
    divert: (watch) => divertSecrets(watch, registry, opts.logger),
    start() {
      void kube?.start().catch((err: unknown) => opts.logger.warn({ err }, 'Kubernetes Secrets not watched: gateways get credentials from the config bucket only'));
    },
    stop: async () => {
      await kube?.stop();
    },
  };
}
