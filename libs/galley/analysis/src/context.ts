// What an analyzer sees while it runs: the resources by kind (one per
// identity, the last definition winning), the registry index, the known
// secrets, the options, and `report` to emit a message.
import { keyOf, resolveHost, type IstioKind, type IstioResourceOf, type Resource, type ServiceEntry, type WorkloadEntry } from '@sextant/config-model';
import type { LocatedResource, ServiceInfo, WorkloadInfo } from './input';
import { createMessage, type Message, type MessageOrigin } from './message';
import type { MessageCode } from './messages';
import { RegistryIndex } from './registry-index';

/** Annotation listing message codes (or `*`) not to report for a resource, as Istio's analyzers honour it. */
export const SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

export interface ResolvedOptions {
  domainSuffix: string;
  rootNamespace: string;
  autoAllocateAddresses: boolean;
}

export interface DuplicateDefinition {
  /** The definition that is analysed (the last one). */
  kept: LocatedResource;
  /** Earlier definitions of the same resource, in input order. */
  replaced: LocatedResource[];
}

export function originOf(located: LocatedResource<Resource>): MessageOrigin {
  const r = located.resource;
  return {
    kind: r.kind,
    namespace: r.metadata.namespace ?? '',
    name: r.metadata.name,
    ...(located.file !== undefined ? { file: located.file } : {}),
    ...(located.index !== undefined ? { index: located.index } : {}),
  };
}

/** Identity for messages: `default/reviews`. */
export const fullName = (r: Resource): string => `${r.metadata.namespace ? `${r.metadata.namespace}/` : ''}${r.metadata.name}`;

export class AnalysisContext {
  readonly registry: RegistryIndex;
  readonly duplicates: DuplicateDefinition[] = [];
  private readonly byKind = new Map<string, LocatedResource[]>();
  private readonly byKey = new Map<string, LocatedResource>();
  private readonly secretSet: { exact: Set<string>; bare: Set<string> } | undefined;
  private readonly out: Message[] = [];
  private current = '';

  constructor(
    resources: readonly LocatedResource[],
    registry: { services?: readonly ServiceInfo[]; workloads?: readonly WorkloadInfo[] },
    secrets: readonly string[] | undefined,
    readonly options: ResolvedOptions,
  ) {
    const order: string[] = [];
    const replaced = new Map<string, LocatedResource[]>();
    for (const located of resources) {
      const key = keyOf(located.resource);
      const earlier = this.byKey.get(key);
      if (earlier) replaced.set(key, [...(replaced.get(key) ?? []), earlier]);
      else order.push(key);
      this.byKey.set(key, located);
    }
    for (const key of order) {
      const located = this.byKey.get(key)!;
      const list = this.byKind.get(located.resource.kind) ?? [];
      list.push(located);
      this.byKind.set(located.resource.kind, list);
      const earlier = replaced.get(key);
      if (earlier) this.duplicates.push({ kept: located, replaced: earlier });
    }
    this.registry = new RegistryIndex({
      services: registry.services,
      workloads: registry.workloads,
      serviceEntries: this.of('ServiceEntry') as LocatedResource<ServiceEntry>[],
      workloadEntries: this.of('WorkloadEntry') as LocatedResource<WorkloadEntry>[],
      domainSuffix: options.domainSuffix,
    });
    if (secrets) {
      const exact = new Set<string>();
      const bare = new Set<string>();
      for (const s of secrets) (s.includes('/') ? exact : bare).add(s);
      this.secretSet = { exact, bare };
    }
  }

  /** Resources of one kind, in input order. */
  of<K extends IstioKind>(kind: K): LocatedResource<IstioResourceOf<K>>[] {
    return (this.byKind.get(kind) ?? []) as LocatedResource<IstioResourceOf<K>>[];
  }

  find<K extends IstioKind>(kind: K, namespace: string, name: string): LocatedResource<IstioResourceOf<K>> | undefined {
    return this.of(kind).find((l) => (l.resource.metadata.namespace ?? '') === namespace && l.resource.metadata.name === name);
  }

  /** A host as Istio resolves it in `namespace` (`reviews` -> `reviews.<ns>.svc.<suffix>`). */
  fqdn(host: string, namespace: string): string {
    return resolveHost(host, namespace, this.options.domainSuffix);
  }

  get secretsKnown(): boolean {
    return this.secretSet !== undefined;
  }

  /** Is the secret `name` known in `namespace`? (true when secrets are unknown.) */
  hasSecret(namespace: string, name: string): boolean {
    if (!this.secretSet) return true;
    if (name.includes('/')) return this.secretSet.exact.has(name) || this.secretSet.bare.has(name.slice(name.indexOf('/') + 1));
    return this.secretSet.exact.has(`${namespace}/${name}`) || this.secretSet.bare.has(name);
  }

  /** Used by the runner: names the analyzer whose messages follow. */
  begin(analyzer: string): void {
    this.current = analyzer;
  }

  report(code: MessageCode, located: LocatedResource<Resource> | undefined, text: string, path?: string): void {
    if (located && suppressed(located.resource, code)) return;
    this.out.push(createMessage(code, this.current, text, located ? originOf(located) : undefined, path));
  }

  get messages(): readonly Message[] {
    return this.out;
  }
}

function suppressed(resource: Resource, code: string): boolean {
  const value = resource.metadata.annotations?.[SUPPRESS_ANNOTATION];
  if (!value) return false;
  const codes = value.split(',').map((c) => c.trim());
  return codes.includes('*') || codes.includes(code);
}
