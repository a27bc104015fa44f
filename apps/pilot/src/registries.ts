// Where services and endpoints come from: Kubernetes (when configured), the
// local `sextant_workloads` bucket, and ServiceEntry/WorkloadEntry config,
// aggregated (Istio's order: Kubernetes first). Each backend starts in the
// background and retries until it has synced; NATS may not be there yet.
import type { KubeConfig } from '@kubernetes/client-node';
import type { IstioResource } from '@sextant/config-model';
import type { NatsLink } from '@sextant/nats';
import { AggregateRegistry, KubeRegistry, LocalRegistry, ServiceEntryRegistry, VipAllocator, type ServiceRegistry, type WorkloadSource } from '@sextant/registry';
import { errorMessage, type Logger } from '@sextant/util';

export interface Registries {
  aggregate: AggregateRegistry;
  local: LocalRegistry;
  serviceEntries: ServiceEntryRegistry;
  kube?: KubeRegistry;
  /** Starts every backend in the background; resolves at once. */
  start(): void;
  /** Resolves when every backend has synced once. */
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistriesOptions {
  link: NatsLink;
  logger: Logger;
  domainSuffix: string;
  kubeConfig?: KubeConfig;
  retryMs?: number;
}

/** Kinds the ServiceEntry registry reads. */
export const SERVICE_ENTRY_KINDS: ReadonlySet<string> = new Set(['ServiceEntry', 'WorkloadEntry']);

export function createRegistries(opts: RegistriesOptions): Registries {
  const log = opts.logger.child({ scope: 'registries' });
  const vips = new VipAllocator();
  const local = new LocalRegistry({ logger: opts.logger, link: opts.link, domainSuffix: opts.domainSuffix, vips });
  const kube = opts.kubeConfig ? new KubeRegistry({ kubeConfig: opts.kubeConfig, logger: opts.logger, domainSuffix: opts.domainSuffix }) : undefined;
  const sources: WorkloadSource[] = kube ? [kube, local] : [local];
  const serviceEntries = new ServiceEntryRegistry({ logger: opts.logger, vips, workloadSources: sources });
  const members: ServiceRegistry[] = kube ? [kube, local, serviceEntries] : [local, serviceEntries];
  const aggregate = new AggregateRegistry(members);
  let stopped = false;
  const starts: Promise<void>[] = [];

  const startWithRetry = async (r: ServiceRegistry): Promise<void> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await r.start();
        log.info({ registry: r.id, services: r.services().length }, 'registry synced');
        return;
      } catch (err) {
        if (attempt % 10 === 0) log.warn({ registry: r.id, err: errorMessage(err) }, 'registry not started yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, opts.retryMs ?? 1000));
      }
    }
  };

  return {
    aggregate,
    local,
    serviceEntries,
    ...(kube ? { kube } : {}),
    start() {
      if (starts.length === 0) for (const m of members) starts.push(startWithRetry(m));
    },
    async whenSynced() {
      await Promise.all(starts);
    },
    async stop() {
      stopped = true;
      await aggregate.stop().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'stopping registries failed'));
    },
  };
}

/** Feeds ServiceEntry and WorkloadEntry config to the ServiceEntry registry. */
export function updateServiceEntries(registry: ServiceEntryRegistry, configs: readonly IstioResource[]): void {
  registry.update(configs.filter((c) => SERVICE_ENTRY_KINDS.has(c.kind)));
}
