// Who this proxy is, from the workload environment (SEXTANT_*), in the two
// shapes the libraries want: the xDS node identity and the metrics/peer
// description. Gateways without a workload environment get Istio's names.
import type { SelfDescription } from '@sextant/dataplane';
import type { WorkloadIdentity } from '@sextant/workloads';
import type { ProxyIdentity } from '@sextant/xds-client';

export interface IdentityInput {
  mode: 'sidecar' | 'ingress' | 'egress';
  workload: WorkloadIdentity;
  /** Whether SEXTANT_WORKLOAD was set (otherwise gateways take Istio's default names). */
  named: boolean;
  ports: { outbound: number; inbound: number; admin: number; health: number };
  clusterId: string;
  trustDomain: string;
  version: string;
  /** Istio's INTERCEPTION_MODE: REDIRECT when iptables send the workload's traffic to the sidecar (default NONE). */
  interceptionMode?: 'REDIRECT' | 'NONE';
  /** Where the app listens when the sidecar owns the workload address (SEXTANT_APP_ADDRESS). */
  appAddress?: string;
}

export function proxyIdentity(input: IdentityInput): { node: ProxyIdentity; self: SelfDescription } {
  const w = input.workload;
  const gateway = input.mode !== 'sidecar';
  const gatewayName = input.mode === 'ingress' ? 'istio-ingressgateway' : 'istio-egressgateway';
  const workloadName = gateway && !input.named ? gatewayName : w.name;
  const instance = gateway && !input.named ? `${gatewayName}-0` : w.instance;
  const namespace = gateway && !input.named ? 'istio-system' : w.namespace;
  const labels: Record<string, string> =
    gateway && Object.keys(w.labels).length === 0 ? { app: gatewayName, istio: input.mode === 'ingress' ? 'ingressgateway' : 'egressgateway' } : { app: w.service, ...w.labels };
  const serviceAccount = gateway && !input.named ? `${gatewayName}-service-account` : w.serviceAccount;
  const node: ProxyIdentity = {
    kind: gateway ? 'router' : 'sidecar',
    ip: w.address,
    instance,
    namespace,
    workloadName,
    serviceAccount,
    labels,
    appPorts: gateway ? [] : w.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
    proxyPorts: input.ports,
    interceptionMode: gateway ? 'NONE' : (input.interceptionMode ?? 'NONE'),
    ...(input.appAddress && !gateway ? { appAddress: input.appAddress } : {}),
    clusterId: input.clusterId,
    trustDomain: input.trustDomain,
    version: input.version,
  };
  const self: SelfDescription = {
    id: `${node.kind}~${node.ip}~${instance}.${namespace}~${namespace}.svc.cluster.local`,
    instance,
    namespace,
    workloadName,
    serviceAccount,
    labels,
    clusterId: input.clusterId,
    trustDomain: input.trustDomain,
  };
  return { node, self };
}
