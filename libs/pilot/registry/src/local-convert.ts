// Local workloads (sextant_workloads KV records) as Istio services: one
// service per (namespace, service) with the hostname
// `<service>.<namespace>.svc.<domainSuffix>`, a VIP from the allocator, and
// one endpoint per instance and port. Pure.
import type { WorkloadRecord } from '@sextant/workloads';
import { parseProtocol, type Service, type ServiceEndpoint, type ServicePort } from '@sextant/pilot-model';
import type { VipAllocator } from './vip-allocator';

export function localHostname(service: string, namespace: string, domainSuffix: string): string {
  return `${service}.${namespace}.svc.${domainSuffix}`;
}

export function localServices(
  records: readonly WorkloadRecord[],
  domainSuffix: string,
  vips: VipAllocator,
): { services: Service[]; endpoints: ServiceEndpoint[] } {
  const groups = new Map<string, WorkloadRecord[]>();
  for (const r of records) {
    const k = `${r.namespace}/${r.service}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const services: Service[] = [];
  const endpoints: ServiceEndpoint[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.instance.localeCompare(b.instance));
    const { service: name, namespace } = sorted[0]!;
    const hostname = localHostname(name, namespace, domainSuffix);
    const ports = new Map<string, ServicePort>();
    for (const r of sorted) {
      for (const p of r.ports) {
        const have = ports.get(p.name);
        if (!have || p.port < have.port) ports.set(p.name, { name: p.name, port: p.port, protocol: parseProtocol(p.protocol) });
      }
    }
    const servicePorts = [...ports.values()].sort((a, b) => a.port - b.port);
    services.push({
      hostname,
      namespace,
      name,
      ports: servicePorts,
      addresses: [vips.allocate(hostname)],
      // Stable whatever instances come and go (instance labels live on endpoints).
      labels: { app: name },
      exportTo: ['*'],
      resolution: 'STATIC',
      meshExternal: false,
      registry: 'local',
    });
    for (const r of sorted) {
      for (const sp of servicePorts) {
        const wp = r.ports.find((p) => p.name === sp.name);
        if (!wp) continue;
        endpoints.push({
          hostname,
          namespace,
          servicePort: sp.port,
          servicePortName: sp.name,
          address: r.address,
          port: wp.port,
          labels: r.labels,
          serviceAccount: r.serviceAccount,
          health: r.health,
          tlsMode: r.sidecar ? 'istio' : 'disabled',
          workload: r.instance,
          workloadNamespace: r.namespace,
        });
      }
    }
  }
  return { services, endpoints };
}
