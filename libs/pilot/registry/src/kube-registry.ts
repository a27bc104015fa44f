// The Kubernetes backend (Istio's serviceregistry/kube): Services,
// EndpointSlices and Pods through @kubernetes/client-node informers (list,
// then watch). Every informer event recomputes the affected state; the diff
// tells endpoint-only changes from service changes.
import {
  CoreV1Api,
  DiscoveryV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import type { RegistryKind, Service, ServiceEndpoint } from '@sextant/pilot-model';
import type { Logger } from '@sextant/util';
import { RegistryError } from './errors';
import { convertEndpointSlices, convertService, externalNameEndpoints, podInstance, SERVICE_NAME_LABEL } from './kube-convert';
import { RegistryState } from './registry-state';
import type { RegistryListener, ServiceRef, ServiceRegistry } from './service-registry';
import type { WorkloadInstance, WorkloadSource } from './workload-instance';

export interface KubeRegistryOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  domainSuffix?: string;
  /** Batch informer events for this long before recomputing (default 20 ms). */
  debounceMs?: number;
  id?: string;
}

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export class KubeRegistry implements ServiceRegistry, WorkloadSource {
  readonly kind: RegistryKind = 'kubernetes';
  readonly id: string;
  private readonly state: RegistryState;
  private readonly log: Logger;
  private readonly domainSuffix: string;
  private services$: Watched<V1Service> | undefined;
  private slices$: Watched<V1EndpointSlice> | undefined;
  private pods$: Watched<V1Pod> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private isSynced = false;
  private stopped = false;

  constructor(private readonly opts: KubeRegistryOptions) {
    this.id = opts.id ?? 'kubernetes';
    this.log = opts.logger.child({ scope: 'registry-kube' });
    this.state = new RegistryState(this.id, this.log);
    this.domainSuffix = opts.domainSuffix ?? 'cluster.local';
  }

  get synced(): boolean {
    return this.isSynced;
  }
  services(): Service[] {
    return this.state.services();
  }
  endpoints(): ServiceEndpoint[] {
    return this.state.endpoints();
  }
  endpointsOf(ref: ServiceRef): ServiceEndpoint[] {
    return this.state.endpointsOf(ref);
  }
  onChange(listener: RegistryListener): () => void {
    return this.state.onChange(listener);
  }

  workloadInstances(): WorkloadInstance[] {
    return (this.pods$?.list() ?? []).map(podInstance).filter((w): w is WorkloadInstance => w !== undefined);
  }

  onWorkloadsChange(listener: () => void): () => void {
    return this.state.onChange(() => listener());
  }

  async start(): Promise<void> {
    const kc = this.opts.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    this.services$ = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
    this.slices$ = makeInformer(kc, '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces());
    this.pods$ = makeInformer(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
    for (const [what, inf] of [
      ['services', this.services$],
      ['endpointslices', this.slices$],
      ['pods', this.pods$],
    ] as const) {
      const changed = () => this.schedule();
      (inf as Watched<KubernetesObject>).on('add', changed);
      (inf as Watched<KubernetesObject>).on('update', changed);
      (inf as Watched<KubernetesObject>).on('delete', changed);
      (inf as Watched<KubernetesObject>).on('error', (err: unknown) => {
        if (this.stopped) return;
        this.log.warn({ err, what }, 'Kubernetes watch failed; restarting');
        setTimeout(() => {
          if (!this.stopped) void inf.start().catch((e: unknown) => this.log.warn({ err: e, what }, 'Kubernetes watch restart failed'));
        }, 1000).unref?.();
      });
    }
    try {
      await Promise.all([this.services$.start(), this.slices$.start(), this.pods$.start()]);
    } catch (err) {
      throw new RegistryError('REGISTRY_SYNC_UNAVAILABLE', `cannot list from the Kubernetes API: ${(err as Error).message}`, { cause: err });
    }
    this.isSynced = true;
    this.recompute();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([this.services$?.stop(), this.slices$?.stop(), this.pods$?.stop()]);
  }

  private schedule(): void {
    if (!this.isSynced || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, this.opts.debounceMs ?? 20);
  }

  private recompute(): void {
    const pods = new Map<string, V1Pod>();
    for (const p of this.pods$?.list() ?? []) pods.set(`${p.metadata?.namespace}/${p.metadata?.name}`, p);
    const slicesByService = new Map<string, V1EndpointSlice[]>();
    for (const s of this.slices$?.list() ?? []) {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      const k = `${s.metadata?.namespace}/${svc}`;
      slicesByService.set(k, [...(slicesByService.get(k) ?? []), s]);
    }
    const services: Service[] = [];
    const endpoints: ServiceEndpoint[] = [];
    for (const raw of this.services$?.list() ?? []) {
      const svc = convertService(raw, this.domainSuffix);
      if (!svc) continue;
      services.push(svc);
      endpoints.push(...convertEndpointSlices(svc, slicesByService.get(`${svc.namespace}/${svc.name}`) ?? [], pods), ...externalNameEndpoints(svc, raw));
    }
    this.state.replace(services, endpoints);
  }
}
