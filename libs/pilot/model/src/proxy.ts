// Who a configuration is for: Istio's model.Proxy, reduced to what
// translation reads. Built from the xDS node by the server (proxyFromNode).
import { ModelError } from './errors';
import type { Labels } from './labels';

/** sidecar: a workload's proxy; router: an ingress/egress gateway. */
export type ProxyType = 'sidecar' | 'router';

export interface ProxyInfo {
  type: ProxyType;
  /** node.id exactly as sent. */
  id: string;
  namespace: string;
  /** The workload's IPs (first is primary). */
  ipAddresses: readonly string[];
  labels: Labels;
  serviceAccount?: string;
  /** `region/zone/subzone`. */
  locality?: string;
  /** Istio's DNS domain, e.g. `default.svc.cluster.local`. */
  dnsDomain?: string;
  /** node.metadata as plain JSON. */
  metadata: Readonly<Record<string, unknown>>;
  /** A gRPC client/server speaking xDS itself (no Envoy). */
  proxyless: boolean;
  /** Workload name (pod name or instance id) when known. */
  workloadName?: string;
}

export interface NodeDescription {
  id: string;
  metadata?: Record<string, unknown>;
  locality?: { region?: string; zone?: string; subZone?: string } | null;
  userAgentName?: string;
  cluster?: string;
}

const ISTIO_TYPES = new Set(['sidecar', 'router']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function labelsFrom(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) if (typeof val === 'string') out[k] = val;
  return out;
}

/**
 * Whether a node is a proxyless gRPC client: Istio's gRPC bootstrap sets
 * metadata GENERATOR=grpc; a plain node id (no `~`) from a gRPC user agent is
 * one as well.
 */
export function isProxylessGrpcNode(node: NodeDescription): boolean {
  const gen = str(node.metadata?.['GENERATOR']);
  if (gen === 'grpc') return true;
  if (node.metadata?.['PROXYLESS'] === true || node.metadata?.['PROXYLESS'] === 'true') return true;
  return !node.id.includes('~') && /grpc/i.test(node.userAgentName ?? '');
}

/**
 * Builds a ProxyInfo from an xDS node. Istio ids (`sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local`)
 * give type, IP and namespace; metadata (NAMESPACE, LABELS, SERVICE_ACCOUNT,
 * INSTANCE_IPS, NAME) fills or overrides the rest. A plain id is a sidecar
 * in `default` unless metadata says otherwise. Throws MODEL_PROXY_ID_INVALID
 * for a malformed Istio id.
 */
export function proxyFromNode(node: NodeDescription): ProxyInfo {
  const md = node.metadata ?? {};
  let type: ProxyType = 'sidecar';
  let ips: string[] = [];
  let namespace: string | undefined;
  let dnsDomain: string | undefined;
  let workloadName: string | undefined;
  if (node.id.includes('~')) {
    const parts = node.id.split('~');
    if (parts.length !== 4 || !ISTIO_TYPES.has(parts[0]!) || !parts[1] || !parts[2]) {
      throw new ModelError('MODEL_PROXY_ID_INVALID', `proxy id "${node.id}" is not type~ip~id~domain with type sidecar or router`);
    }
    type = parts[0] as ProxyType;
    ips = [parts[1]];
    const podId = parts[2];
    const dot = podId.indexOf('.');
    workloadName = dot > 0 ? podId.slice(0, dot) : podId;
    if (dot > 0) namespace = podId.slice(dot + 1);
    dnsDomain = parts[3] || undefined;
    if (!namespace && dnsDomain) namespace = dnsDomain.split('.')[0];
  }
  const instanceIps = str(md['INSTANCE_IPS'])?.split(',').map((s) => s.trim()).filter(Boolean);
  if (instanceIps && instanceIps.length > 0) ips = instanceIps;
  namespace = str(md['NAMESPACE']) ?? namespace ?? 'default';
  const loc = node.locality;
  const locality = loc && (loc.region || loc.zone || loc.subZone) ? `${loc.region ?? ''}/${loc.zone ?? ''}/${loc.subZone ?? ''}` : undefined;
  const proxy: ProxyInfo = {
    type,
    id: node.id,
    namespace,
    ipAddresses: ips,
    labels: labelsFrom(md['LABELS']),
    metadata: md,
    proxyless: isProxylessGrpcNode(node),
  };
  const sa = str(md['SERVICE_ACCOUNT']);
  if (sa) proxy.serviceAccount = sa.includes('/sa/') ? sa.slice(sa.lastIndexOf('/') + 1) : sa;
  if (locality) proxy.locality = locality;
  proxy.dnsDomain = dnsDomain ?? `${namespace}.svc.cluster.local`;
  const name = str(md['NAME']) ?? workloadName;
  if (name) proxy.workloadName = name;
  return proxy;
}

/** A ProxyInfo with defaults, for tests and callers that know the fields already. */
export function createProxy(init: Partial<ProxyInfo> & { namespace: string }): ProxyInfo {
  return {
    type: init.type ?? 'sidecar',
    id: init.id ?? `${init.type ?? 'sidecar'}~${init.ipAddresses?.[0] ?? '127.0.0.1'}~${init.workloadName ?? 'workload'}.${init.namespace}~${init.namespace}.svc.cluster.local`,
    namespace: init.namespace,
    ipAddresses: init.ipAddresses ?? [],
    labels: init.labels ?? {},
    metadata: init.metadata ?? {},
    proxyless: init.proxyless ?? false,
    dnsDomain: init.dnsDomain ?? `${init.namespace}.svc.cluster.local`,
    ...(init.serviceAccount !== undefined ? { serviceAccount: init.serviceAccount } : {}),
    ...(init.locality !== undefined ? { locality: init.locality } : {}),
    ...(init.workloadName !== undefined ? { workloadName: init.workloadName } : {}),
  };
}
