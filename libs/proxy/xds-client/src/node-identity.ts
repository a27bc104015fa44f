// Who the proxy is, told to Pilot on the first request of every stream:
// Istio's node id "type~ip~instance.namespace~namespace.svc.cluster.local"
// and the node metadata Istio's sidecars send (NAMESPACE, LABELS, ...).
import type { Node } from '@sextant/proto';
import { jsonToStruct } from '@sextant/proto';

export type ProxyKind = 'sidecar' | 'router';

export interface ProxyIdentity {
  /** sidecar for workloads; router for ingress and egress gateways. */
  kind: ProxyKind;
  /** The workload's IP (its own loopback address when running locally). */
  ip: string;
  /** Instance id (Istio: pod name). */
  instance: string;
  namespace: string;
  /** Istio's DNS domain; default "<namespace>.svc.cluster.local". */
  dnsDomain?: string;
  workloadName: string;
  serviceAccount: string;
  labels: Record<string, string>;
  /** The application's ports, as Istio's POD_PORTS. */
  appPorts: { name: string; port: number; protocol: string }[];
  /** The proxy's own ports (outbound capture, inbound capture, admin, health). */
  proxyPorts: Record<string, number>;
  /** REDIRECT (iptables) or NONE (explicit capture, no privileges). */
  interceptionMode: 'REDIRECT' | 'NONE';
  /**
   * With NONE: where the app listens when the sidecar owns <ip>:<port> (the
   * workload's own loopback; locally a second address). Sent as APP_ADDRESS.
   */
  appAddress?: string;
  clusterId?: string;
  meshId?: string;
  trustDomain?: string;
  locality?: { region: string; zone: string; subZone: string };
  version: string;
}

export function nodeId(p: ProxyIdentity): string {
  return `${p.kind}~${p.ip}~${p.instance}.${p.namespace}~${p.dnsDomain ?? `${p.namespace}.svc.cluster.local`}`;
}

/** Istio's service cluster name for the node: "<app or workload>.<namespace>". */
export function serviceCluster(p: ProxyIdentity): string {
  return `${p.labels['app'] ?? p.labels['app.kubernetes.io/name'] ?? p.workloadName}.${p.namespace}`;
}

export function nodeMetadata(p: ProxyIdentity): Record<string, unknown> {
  return {
    NAMESPACE: p.namespace,
    NAME: p.instance,
    WORKLOAD_NAME: p.workloadName,
    SERVICE_ACCOUNT: p.serviceAccount,
    LABELS: p.labels,
    INSTANCE_IPS: p.ip,
    INTERCEPTION_MODE: p.interceptionMode,
    CLUSTER_ID: p.clusterId ?? 'Kubernetes',
    MESH_ID: p.meshId ?? p.trustDomain ?? 'cluster.local',
    ISTIO_VERSION: p.version,
    POD_PORTS: JSON.stringify(p.appPorts.map((x) => ({ name: x.name, containerPort: x.port, protocol: 'TCP', appProtocol: x.protocol.toLowerCase() }))),
    SEXTANT_PROXY_PORTS: p.proxyPorts,
    SEXTANT_APP_PORTS: p.appPorts.map((x) => ({ name: x.name, port: x.port, protocol: x.protocol })),
    PROXY_TYPE: p.kind,
    ...(p.appAddress ? { APP_ADDRESS: p.appAddress } : {}),
  };
}

export function buildNode(p: ProxyIdentity): Node {
  const node: Node = {
    id: nodeId(p),
    cluster: serviceCluster(p),
    metadata: jsonToStruct(nodeMetadata(p)) as Node['metadata'],
    userAgentName: 'sextant',
    userAgentVersion: p.version,
    clientFeatures: ['xds.config.resource-in-sotw'],
  };
  if (p.locality) node.locality = { region: p.locality.region, zone: p.locality.zone, subZone: p.locality.subZone };
  return node;
}
