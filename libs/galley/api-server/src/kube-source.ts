// In a cluster, Istio's CRDs are a config source: every VirtualService,
// DestinationRule... in the Kubernetes API is mirrored into the store,
// through the same validation as any other input (config that bypassed the
// webhook is refused here, reported, and not stored). One informer (list,
// then watch) per kind; after each full list, what the store holds from
// Kubernetes but the list no longer has is deleted.
import type { KubeConfig, KubernetesObject, makeInformer } from '@kubernetes/client-node';
import { ISTIO_KINDS, type KindInfo, type ResourceRef } from '@sextant/config-model';
import { FIELD_MANAGER_ANNOTATION } from '@sextant/config-store';
import { errorMessage, type Logger } from '@sextant/util';
import { formatIssue } from '@sextant/validation';
import type { ConfigIngest } from './config-ingest';
import { ConfigInvalidError } from './errors';
import { admitObject } from './manifest-validation';

export const KUBERNETES_FIELD_MANAGER = 'kubernetes';

export interface KubeSourceOptions {
  kubeConfig: KubeConfig;
  ingest: ConfigIngest;
  logger: Logger;
  /** Kinds to watch (default every Istio kind Sextant knows). */
  kinds?: readonly KindInfo[];
  /** API version to watch per group (default each kind's storage version, v1). */
  version?: (info: KindInfo) => string;
  /** Delay before an informer that failed starts again. Default 2 s. */
  restartMs?: number;
}

export interface KubeSourceStatus {
  kinds: { kind: string; path: string; synced: boolean; objects: number; lastError?: string }[];
  /** Objects refused by validation (key -> one line per error). */
  rejected: Record<string, string[]>;
}

type Obj = KubernetesObject & { spec?: unknown };

interface Watched {
  info: KindInfo;
  path: string;
  synced: boolean;
  lastError?: string;
  informer: ReturnType<typeof makeInformer<Obj>>;
}

const SERVER_FIELDS = ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'generateName'];

/** The object as a user wrote it: the API server's bookkeeping removed. */
export function userObject(obj: Obj): Record<string, unknown> {
  const metadata = { ...(obj.metadata as Record<string, unknown>) };
  for (const f of SERVER_FIELDS) delete metadata[f];
  const annotations = metadata['annotations'] as Record<string, string> | undefined;
  if (annotations && 'kubectl.kubernetes.io/last-applied-configuration' in annotations) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _drop, ...rest } = annotations;
    if (Object.keys(rest).length) metadata['annotations'] = rest;
    else delete metadata['annotations'];
  }
  const { status: _status, ...rest } = obj as Obj & { status?: unknown };
  return { ...rest, metadata };
}

export class KubeSource {
  private readonly watched: Watched[] = [];
  private readonly rejected = new Map<string, string[]>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: KubeSourceOptions) {}

  async start(): Promise<void> {
    // Loaded here, not at import: the client costs ~0.5 s to load and most users of this lib never need it.
    const { CustomObjectsApi, makeInformer } = await import('@kubernetes/client-node');
    const api = this.opts.kubeConfig.makeApiClient(CustomObjectsApi);
    for (const info of this.opts.kinds ?? ISTIO_KINDS) {
      const version = this.opts.version?.(info) ?? info.storageVersion;
      const path = `/apis/${info.group}/${version}/${info.plural}`;
      const listFn = async () => {
        const list = (await api.listClusterCustomObject({ group: info.group, version, plural: info.plural })) as { items: Obj[]; metadata?: { resourceVersion?: string } };
        // The informer adds the items right after this resolves; prune after them.
        setImmediate(() => this.enqueue(() => this.prune(w, list.items)));
        return list;
      };
      const informer = makeInformer<Obj>(this.opts.kubeConfig, path, listFn as never);
      const w: Watched = { info, path, synced: false, informer };
      informer.on('add', (o) => this.enqueue(() => this.upsert(o)));
      informer.on('update', (o) => this.enqueue(() => this.upsert(o)));
      informer.on('delete', (o) => this.enqueue(() => this.remove(w, o)));
      informer.on('error', (err: unknown) => {
        w.lastError = errorMessage(err);
        if (this.stopped) return;
        this.opts.logger.warn({ path, err: w.lastError }, 'Kubernetes watch failed; starting again');
        setTimeout(() => void informer.start().catch(() => undefined), this.opts.restartMs ?? 2_000).unref();
      });
      this.watched.push(w);
      await informer.start().catch((err: unknown) => (w.lastError = errorMessage(err)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.watched.map((w) => w.informer.stop().catch(() => undefined)));
    await this.queue;
  }

  /** Resolves once every write queued so far is done (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  status(): KubeSourceStatus {
    return {
      kinds: this.watched.map((w) => {
        const s: KubeSourceStatus['kinds'][number] = { kind: w.info.kind, path: w.path, synced: w.synced, objects: w.informer.list().length };
        if (w.lastError) s.lastError = w.lastError;
        return s;
      }),
      rejected: Object.fromEntries(this.rejected),
    };
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((err: unknown) => this.opts.logger.error({ err: errorMessage(err) }, 'mirroring a Kubernetes object failed'));
  }

  private label(o: Obj): string {
    return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  private async upsert(o: Obj): Promise<void> {
    const key = this.label(o);
    let resource;
    try {
      resource = admitObject(userObject(o), { file: 'kubernetes' }, o.metadata?.namespace);
    } catch (err) {
      if (!(err instanceof ConfigInvalidError)) throw err;
      const lines = err.errors.map(formatIssue);
      this.rejected.set(key, lines);
      this.opts.logger.warn({ object: key, errors: lines }, 'refusing an invalid object from the Kubernetes API (did it bypass the webhook?)');
      return;
    }
    this.rejected.delete(key);
    await this.opts.ingest.write([{ op: 'apply', resource }], { fieldManager: KUBERNETES_FIELD_MANAGER });
  }

  private async remove(w: Watched, o: Obj): Promise<void> {
    this.rejected.delete(this.label(o));
    const ref: ResourceRef = { kind: w.info.kind, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' };
    await this.opts.ingest.store.delete([ref], { ignoreMissing: true });
  }

  /** After a full list: delete what Kubernetes mirrored earlier but no longer has. */
  private async prune(w: Watched, items: readonly Obj[]): Promise<void> {
    const present = new Set(items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`));
    const stored = await this.opts.ingest.store.list({ kind: w.info.kind });
    const gone = stored.filter((s) => s.resource.metadata.annotations?.[FIELD_MANAGER_ANNOTATION] === KUBERNETES_FIELD_MANAGER && !present.has(`${s.ref.namespace}/${s.ref.name}`));
    if (gone.length) {
      await this.opts.ingest.store.delete(
        gone.map((s) => s.ref),
        { ignoreMissing: true },
      );
      this.opts.logger.info({ kind: w.info.kind, removed: gone.length }, 'deleted mirrored objects that Kubernetes no longer has');
    }
    w.synced = true;
  }
}
