// Who is on the other end of a stream: read once from the first request's
// node. Istio's proxies (and Istio's proxyless gRPC bootstrap) send
// "type~ip~pod.namespace~namespace.svc.cluster.local"; other clients (a
// hand-written gRPC bootstrap, our tests) send any plain id.
import { isIP } from 'node:net';
import type { Node__Output } from '@sextant/proto';
import { type JsonValue, structToJson } from '@sextant/proto';
import { type Result, fail, ok } from '@sextant/util';

export const ISTIO_PROXY_TYPES = ['sidecar', 'router', 'waypoint', 'ztunnel'] as const;
export type IstioProxyType = (typeof ISTIO_PROXY_TYPES)[number];

export interface ProxyInfo {
  /** node.id exactly as sent: the key for status and targeted pushes. */
  id: string;
  /** Whether the id has Istio's four-part form. */
  istio: boolean;
  /** Istio's proxy type; undefined for plain ids. */
  type?: IstioProxyType;
  /** From the id, or metadata INSTANCE_IPS when present. */
  ipAddresses: string[];
  /** Istio's third part, "pod.namespace". */
  podId?: string;
  podName?: string;
  namespace?: string;
  /** Istio's fourth part, e.g. "default.svc.cluster.local". */
  dnsDomain?: string;
  /** node.cluster (Istio: the workload's service cluster). */
  cluster: string;
  /** node.metadata as plain JSON. */
  metadata: Record<string, JsonValue>;
  locality?: { region: string; zone: string; subZone: string };
  /** "name/version", e.g. "envoy/1.30.1" or "gRPC Node/1.14.1". */
  userAgent: string;
  clientFeatures: string[];
}

export interface IstioId {
  type: IstioProxyType;
  ip: string;
  podId: string;
  dnsDomain: string;
}

/** Parses Istio's "type~ip~id~domain"; a plain id (no "~") gives undefined. */
export function parseIstioId(id: string): Result<IstioId | undefined> {
  if (!id.includes('~')) return ok(undefined);
  const parts = id.split('~');
  if (parts.length !== 4) return fail(`node id "${id}" has ${parts.length} "~"-separated parts; Istio's form has 4 (type~ip~id~domain)`);
  const [type, ip, podId, dnsDomain] = parts as [string, string, string, string];
  if (!(ISTIO_PROXY_TYPES as readonly string[]).includes(type)) {
    return fail(`node id "${id}": proxy type "${type}" is not one of ${ISTIO_PROXY_TYPES.join(', ')}`);
  }
  if (isIP(ip) === 0) return fail(`node id "${id}": "${ip}" is not an IP address`);
  if (!podId) return fail(`node id "${id}": empty workload id`);
  return ok({ type: type as IstioProxyType, ip, podId, dnsDomain });
}

function userAgentVersion(node: Node__Output): string {
  if (node.userAgentVersion) return node.userAgentVersion;
  const v = node.userAgentBuildVersion?.version;
  return v ? `${v.majorNumber}.${v.minorNumber}.${v.patch}` : '';
}

function stringOf(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Builds ProxyInfo from a request's node; fails on a missing node or malformed Istio id. */
export function proxyFromNode(node: Node__Output | null | undefined): Result<ProxyInfo> {
  if (!node || !node.id) return fail('the first request on a stream must carry node.id');
  const parsed = parseIstioId(node.id);
  if (!parsed.ok) return parsed;
  const istio = parsed.value;
  const metadata = structToJson(node.metadata as never);
  const instanceIps = stringOf(metadata['INSTANCE_IPS'])
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => isIP(s) !== 0);
  const podId = istio?.podId;
  const dot = podId ? podId.indexOf('.') : -1;
  const namespace =
    stringOf(metadata['NAMESPACE']) ??
    (podId && dot > 0 ? podId.slice(dot + 1) : undefined) ??
    (istio?.dnsDomain ? istio.dnsDomain.split('.')[0] : undefined);
  const info: ProxyInfo = {
    id: node.id,
    istio: istio !== undefined,
    ipAddresses: instanceIps && instanceIps.length > 0 ? instanceIps : istio ? [istio.ip] : [],
    cluster: node.cluster ?? '',
    metadata,
    userAgent: [node.userAgentName, userAgentVersion(node)].filter((s) => s).join('/'),
    clientFeatures: [...(node.clientFeatures ?? [])],
  };
  if (istio) {
    info.type = istio.type;
    info.podId = istio.podId;
    info.podName = stringOf(metadata['NAME']) ?? (dot > 0 ? istio.podId.slice(0, dot) : istio.podId);
    info.dnsDomain = istio.dnsDomain;
  }
  if (namespace) info.namespace = namespace;
  if (node.locality && (node.locality.region || node.locality.zone || node.locality.subZone)) {
    info.locality = { region: node.locality.region, zone: node.locality.zone, subZone: node.locality.subZone };
  }
  return ok(info);
}
