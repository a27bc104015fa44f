// The translation cache key (proxies with the same key get the same output
// from the same PushContext) and when a push leaves every key as it was
// (Istio scopes its per-push work by ConfigsUpdated the same way): a
// VirtualService or DestinationRule change moves a key only through the
// label keys and the outlier-detection flag those configs feed into it, so
// when those are equal in both pushes every connected proxy keeps its key
// and nothing needs to be recomputed for 2000 proxies per push.
import { createHash } from 'node:crypto';
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import type { TranslateOptions } from './context';

interface KeyInputs {
  /** Label keys a proxy's key looks at, per proxy namespace. */
  labelKeys: Map<string, string[]>;
  /** Whether any DestinationRule sets outlier detection (then locality matters). */
  outlierDetection: boolean;
  /** Everything configs feed into keys, as one string (for comparing two pushes). */
  fingerprint?: string;
}

/** What proxyConfigKey needs from a push for every proxy of a namespace, computed once per (push, namespace). */
const keyInputs = new WeakMap<PushContext, KeyInputs>();

function inputsOf(push: PushContext): KeyInputs {
  let inputs = keyInputs.get(push);
  if (!inputs) {
    inputs = { labelKeys: new Map(), outlierDetection: push.destinationRuleIndex.all().some((d) => JSON.stringify(d.spec).includes('outlierDetection')) };
    keyInputs.set(push, inputs);
  }
  return inputs;
}

function labelKeysOf(push: PushContext, namespace: string): string[] {
  const inputs = inputsOf(push);
  let labelKeys = inputs.labelKeys.get(namespace);
  if (!labelKeys) {
    const keys = new Set(push.virtualServiceIndex.sourceLabelKeys);
    for (const dr of push.destinationRuleIndex.all()) if (dr.namespace === namespace) Object.keys(dr.selector ?? {}).forEach((k) => keys.add(k));
    labelKeys = [...keys].sort();
    inputs.labelKeys.set(namespace, labelKeys);
  }
  return labelKeys;
}

/** The config-derived inputs of every key of a push: VirtualService source label keys, DestinationRule selector keys by namespace, outlier detection. */
export function keyInputsFingerprint(push: PushContext): string {
  const inputs = inputsOf(push);
  if (inputs.fingerprint === undefined) {
    const selectors = new Set<string>();
    for (const dr of push.destinationRuleIndex.all()) for (const k of Object.keys(dr.selector ?? {})) selectors.add(`${dr.namespace}/${k}`);
    inputs.fingerprint = JSON.stringify([[...push.virtualServiceIndex.sourceLabelKeys].sort(), [...selectors].sort(), inputs.outlierDetection, push.mesh]);
  }
  return inputs.fingerprint;
}

/** Config kinds that reach a cache key only through keyInputsFingerprint. */
const KEY_NEUTRAL_KINDS: ReadonlySet<string> = new Set(['VirtualService', 'DestinationRule']);

/** What a push changed (the model's PushRequest, structurally). */
export interface KeyChange {
  readonly full: boolean;
  readonly configsUpdated?: ReadonlySet<string>;
}

/**
 * Whether every proxy has the same cache key in `next` as in `previous`, given
 * what changed between them: true only for a config push naming nothing but
 * VirtualServices and DestinationRules (no registry change, no policy,
 * Sidecar or Gateway) whose key inputs are equal in both pushes. Anything
 * else (unknown change, endpoint push: a proxy's own endpoints may move) is false.
 */
export function cacheKeysCarryOver(previous: PushContext, next: PushContext, change: KeyChange | undefined): boolean {
  if (!change?.full || !change.configsUpdated || change.configsUpdated.size === 0) return false;
  for (const key of change.configsUpdated) if (!KEY_NEUTRAL_KINDS.has(key.slice(0, key.indexOf('/')))) return false;
  return keyInputsFingerprint(previous) === keyInputsFingerprint(next);
}

/**
 * For an endpoint-only push (registry endpoints of the named services moved):
 * whether `proxy` keeps its key from `previous` to `next`. A key sees the
 * registry only through the proxy's own endpoints (their ports, services and
 * labels), so it stays when none of them belongs to a changed service, before
 * or after, and the configs feed the same key inputs.
 */
export function cacheKeyCarriesOver(previous: PushContext, next: PushContext, change: KeyChange | undefined, proxy: ProxyInfo): boolean {
  if (!change || change.full || !change.configsUpdated || change.configsUpdated.size === 0) return false;
  const hosts = new Set<string>();
  for (const key of change.configsUpdated) {
    const slash = key.indexOf('/');
    if (key.slice(0, slash) !== 'Service') return false;
    hosts.add(key.slice(key.indexOf('/', slash + 1) + 1));
  }
  if (keyInputsFingerprint(previous) !== keyInputsFingerprint(next)) return false;
  for (const push of [previous, next]) for (const e of push.proxyEndpoints(proxy)) if (hosts.has(e.hostname)) return false;
  return true;
}

/** Digests of key texts: at most a few distinct texts per namespace, asked once per proxy and push. */
const digests = new Map<string, string>();
const MAX_DIGESTS = 50_000;

function digest(text: string): string {
  let d = digests.get(text);
  if (d === undefined) {
    d = createHash('sha256').update(text).digest('base64url').slice(0, 22);
    if (digests.size >= MAX_DIGESTS) digests.clear();
    digests.set(text, d);
  }
  return d;
}

/**
 * A key such that two proxies with the same key get the same output from
 * the same PushContext (and the same options): proxy kind, namespace, the
 * Sidecar in effect, the labels VirtualService sourceLabels and
 * DestinationRule/policy selectors look at, selected Gateways, the ports its
 * workload serves, and locality when locality load balancing can apply.
 */
export function proxyConfigKey(push: PushContext, proxy: ProxyInfo, options: TranslateOptions = {}): string {
  const labels = push.proxyLabels(proxy);
  const withLabels = { ...proxy, labels };
  const labelKeys = labelKeysOf(push, proxy.namespace);
  const { outlierDetection } = inputsOf(push);
  const policies = push.securityPolicies(withLabels);
  const md = proxy.metadata['HTTP_PROXY_PORT'];
  const parts: string[] = [
    proxy.proxyless ? 'grpc' : proxy.type,
    proxy.namespace,
    proxy.type === 'sidecar' ? push.sidecarScope(withLabels).key : '',
    labelKeys.map((k) => `${k}=${labels[k] ?? ''}`).join(','),
    [...policies.peerAuthentications, ...policies.authorizationPolicies, ...policies.requestAuthentications].map((p) => `${p.kind}/${p.metadata.namespace}/${p.metadata.name}`).join(','),
    String(options.httpProxyPort ?? (typeof md === 'string' || typeof md === 'number' ? md : '')),
  ];
  if (proxy.type === 'router') parts.push(push.gatewaysFor({ labels }).map((g) => `${g.metadata.namespace}/${g.metadata.name}`).join(','));
  if (proxy.type === 'sidecar' && !proxy.proxyless) {
    const ports = new Map<number, string>();
    for (const e of push.proxyEndpoints(proxy)) if (!ports.has(e.port)) ports.set(e.port, `${e.port}:${e.hostname}:${e.servicePort}`);
    parts.push([...ports.values()].join(','));
    if (proxy.metadata['INTERCEPTION_MODE'] === 'NONE') parts.push(`none@${proxy.ipAddresses[0] ?? ''}`);
  }
  if (proxy.locality && outlierDetection) parts.push(`loc=${proxy.locality}`);
  return digest(parts.join('\n'));
}
