// ServiceEntries (with WorkloadEntries and selected workloads) as Istio
// services, the way Istio's serviceentry controller converts them. Pure.
import type { ServiceEntry, WorkloadEntry, WorkloadEntrySpec } from '@sextant/config-model';
import {
  parseProtocol,
  selectorMatches,
  type Resolution,
  type Service,
  type ServiceEndpoint,
  type ServicePort,
  type TlsMode,
} from '@sextant/pilot-model';
import type { VipAllocator } from './vip-allocator';
import type { WorkloadInstance } from './workload-instance';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function resolutionOf(se: ServiceEntry): Resolution {
  switch (se.spec.resolution) {
    case 'STATIC':
      return 'STATIC';
    case 'DNS':
    case 'DYNAMIC_DNS':
      return 'DNS';
    case 'DNS_ROUND_ROBIN':
      return 'DNS_ROUND_ROBIN';
    default:
      return 'NONE';
  }
}

function tlsModeOf(labels: Readonly<Record<string, string>> | undefined): TlsMode {
  return labels?.['security.istio.io/tlsMode'] === 'istio' ? 'istio' : 'disabled';
}

function wleInstance(spec: WorkloadEntrySpec, name: string, namespace: string): WorkloadInstance {
  return {
    name,
    namespace,
    address: spec.address ?? '',
    labels: spec.labels ?? {},
    serviceAccount: spec.serviceAccount ?? 'default',
    ports: spec.ports ?? {},
    health: 'HEALTHY',
    tlsMode: tlsModeOf(spec.labels),
    ...(spec.locality ? { locality: spec.locality } : {}),
    ...(spec.weight ? { weight: spec.weight } : {}),
  };
}

/** WorkloadEntry resources as workload instances (a WorkloadEntry with a service account has a sidecar: Istio's tlsMode rule). */
export function workloadEntryInstances(entries: readonly WorkloadEntry[]): WorkloadInstance[] {
  return entries.map((w) => {
    const inst = wleInstance(w.spec, w.metadata.name, w.metadata.namespace ?? 'default');
    return w.spec.labels?.['security.istio.io/tlsMode'] ? inst : { ...inst, tlsMode: w.spec.serviceAccount ? 'istio' : 'disabled' };
  });
}

function endpointFor(service: Service, port: ServicePort, inst: WorkloadInstance, targetPort: number | undefined): ServiceEndpoint {
  return {
    hostname: service.hostname,
    namespace: service.namespace,
    servicePort: port.port,
    servicePortName: port.name,
    address: inst.address,
    port: inst.ports[port.name] ?? targetPort ?? port.port,
    labels: inst.labels,
    serviceAccount: inst.serviceAccount,
    health: inst.health,
    tlsMode: inst.tlsMode,
    workload: inst.name,
    workloadNamespace: inst.namespace,
    ...(inst.locality ? { locality: inst.locality } : {}),
    ...(inst.weight ? { weight: inst.weight } : {}),
  };
}

export interface ServiceEntryConversion {
  services: Service[];
  endpoints: ServiceEndpoint[];
}

export function serviceEntryServices(
  entries: readonly ServiceEntry[],
  workloadEntries: readonly WorkloadEntry[],
  workloads: readonly WorkloadInstance[],
  vips: VipAllocator,
): ServiceEntryConversion {
  const services: Service[] = [];
  const endpoints: ServiceEndpoint[] = [];
  const wles = workloadEntryInstances(workloadEntries);
  for (const se of entries) {
    const ns = se.metadata.namespace ?? 'default';
    const spec = se.spec;
    const resolution = resolutionOf(se);
    const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({
      name: p.name,
      port: p.number,
      protocol: parseProtocol(p.protocol),
      ...(p.targetPort ? { targetPort: p.targetPort } : {}),
    }));
    const explicit = (spec.addresses ?? []).filter((a) => IPV4.test(a) || a.includes(':'));
    const createdAt = se.metadata.creationTimestamp ? Date.parse(se.metadata.creationTimestamp) : undefined;
    let selected: WorkloadInstance[] = [];
    if (spec.workloadSelector?.labels) {
      const sel = spec.workloadSelector.labels;
      selected = [...wles, ...workloads].filter((w) => w.namespace === ns && w.address && selectorMatches(sel, w.labels));
    }
    const inline = (spec.endpoints ?? []).map((e, i) => ({ ...wleInstance(e, `${se.metadata.name}-${i}`, ns), tlsMode: tlsModeOf(e.labels) }));
    for (const host of spec.hosts ?? []) {
      const addresses = explicit.length > 0 ? explicit : resolution !== 'NONE' && !host.startsWith('*') ? [vips.allocate(host)] : [];
      const service: Service = {
        hostname: host,
        namespace: ns,
        ports,
        addresses,
        labels: se.metadata.labels ?? {},
        exportTo: spec.exportTo ?? ['*'],
        resolution,
        meshExternal: (spec.location ?? 'MESH_EXTERNAL') === 'MESH_EXTERNAL',
        registry: 'serviceentry',
        ...(spec.subjectAltNames ? { subjectAltNames: spec.subjectAltNames } : {}),
        ...(createdAt !== undefined && !Number.isNaN(createdAt) ? { createdAt } : {}),
      };
      services.push(service);
      const instances = spec.workloadSelector?.labels ? selected : inline;
      for (const port of ports) {
        if (instances.length > 0) {
          for (const inst of instances) {
            endpoints.push(endpointFor(service, port, inst, port.targetPort));
          }
        } else if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && !host.startsWith('*')) {
          const self: WorkloadInstance = { name: host, namespace: ns, address: host, labels: {}, serviceAccount: '', ports: {}, health: 'HEALTHY', tlsMode: 'disabled' };
          endpoints.push(endpointFor(service, port, self, port.targetPort));
        }
      }
    }
  }
  return { services, endpoints };
}
