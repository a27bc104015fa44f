// What changed, Istio's PushRequest: a full push (configuration or services
// changed) or an endpoint-only (EDS) push, the configs/services concerned,
// and why. Bursts merge: full wins, sets union, the earliest start stays.

/** Why a push happens (Istio's TriggerReason). */
export const TriggerReason = {
  EndpointUpdate: 'endpoint',
  ServiceUpdate: 'service',
  ConfigUpdate: 'config',
  ProxyUpdate: 'proxy',
  GlobalUpdate: 'global',
  NamespaceUpdate: 'namespace',
  SecretTrigger: 'secret',
  DebugTrigger: 'debug',
} as const;
export type TriggerReason = (typeof TriggerReason)[keyof typeof TriggerReason];

/**
 * Key of a changed thing: `Kind/namespace/name` for Istio configs, and
 * `Service/namespace/hostname` for a registry service (its endpoints or
 * definition).
 */
export type ConfigKey = string;

export function configKey(kind: string, namespace: string, name: string): ConfigKey {
  return `${kind}/${namespace}/${name}`;
}

export function parseConfigKey(key: ConfigKey): { kind: string; namespace: string; name: string } {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  return { kind: key.slice(0, first), namespace: key.slice(first + 1, second), name: key.slice(second + 1) };
}

export interface PushRequest {
  /** true: configuration or service definitions changed (all xDS types); false: endpoints only (EDS). */
  readonly full: boolean;
  /** What changed; undefined means "everything" (e.g. a global change). */
  readonly configsUpdated?: ReadonlySet<ConfigKey>;
  /** How many changes of each reason merged into this request. */
  readonly reason: Readonly<Partial<Record<TriggerReason, number>>>;
  /** When the first merged change happened (ms since epoch). */
  readonly start: number;
  /** Push even if nothing seems to have changed for a proxy. */
  readonly forced?: boolean;
}

export function fullPush(reason: TriggerReason, configs?: Iterable<ConfigKey>, start = Date.now()): PushRequest {
  return { full: true, ...(configs ? { configsUpdated: new Set(configs) } : {}), reason: { [reason]: 1 }, start };
}

/** An endpoint-only push for the services `hostnames` in `namespace`. */
export function endpointPush(namespace: string, hostnames: Iterable<string>, start = Date.now()): PushRequest {
  const keys = [...hostnames].map((h) => configKey('Service', namespace, h));
  return { full: false, configsUpdated: new Set(keys), reason: { [TriggerReason.EndpointUpdate]: 1 }, start };
}

/** Merges two requests; either may be undefined. Neither input is changed. */
export function mergePushRequests(a: PushRequest | undefined, b: PushRequest | undefined): PushRequest | undefined {
  if (!a) return b;
  if (!b) return a;
  const reason: Partial<Record<TriggerReason, number>> = { ...a.reason };
  for (const [k, n] of Object.entries(b.reason) as [TriggerReason, number][]) reason[k] = (reason[k] ?? 0) + n;
  const configs = a.configsUpdated && b.configsUpdated ? new Set([...a.configsUpdated, ...b.configsUpdated]) : undefined;
  const forced = Boolean(a.forced || b.forced);
  return {
    full: a.full || b.full,
    ...(configs ? { configsUpdated: configs } : {}),
    reason,
    start: Math.min(a.start, b.start),
    ...(forced ? { forced } : {}),
  };
}

/** Hostnames of the services a request names (`Service/ns/host` keys). */
export function servicesUpdated(request: PushRequest): Set<string> | undefined {
  if (!request.configsUpdated) return undefined;
  const out = new Set<string>();
  for (const k of request.configsUpdated) {
    const p = parseConfigKey(k);
    if (p.kind === 'Service') out.add(p.name);
  }
  return out;
}

/** Kinds named in a request. */
export function kindsUpdated(request: PushRequest): Set<string> | undefined {
  if (!request.configsUpdated) return undefined;
  return new Set([...request.configsUpdated].map((k) => parseConfigKey(k).kind));
}
