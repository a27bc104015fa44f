// Kubernetes Services, EndpointSlices and Pods as Istio services and
// endpoints (Istio's serviceregistry/kube conversion). Pure.
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { protocolFromPort, type Service, type ServiceEndpoint, type ServicePort, type TlsMode } from '@sextant/pilot-model';
import type { WorkloadInstance } from './workload-instance';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

export function kubeHostname(name: string, namespace: string, domainSuffix: string): string {
  return `${name}.${namespace}.svc.${domainSuffix}`;
}

export function convertService(svc: V1Service, domainSuffix: string): Service | undefined {
  const name = svc.metadata?.name;
  const namespace = svc.metadata?.namespace ?? 'default';
  if (!name) return undefined;
  const spec = svc.spec ?? {};
  const ports: ServicePort[] = [];
  for (const p of spec.ports ?? []) {
    if (p.protocol === 'UDP' || p.protocol === 'SCTP') continue;
    const target = typeof p.targetPort === 'number' ? p.targetPort : /^\d+$/.test(String(p.targetPort ?? '')) ? Number(p.targetPort) : undefined;
    ports.push({ name: p.name ?? '', port: p.port, protocol: protocolFromPort(p.name, p.appProtocol), ...(target ? { targetPort: target } : {}) });
  }
  const clusterIp = spec.clusterIP;
  const headless = clusterIp === 'None';
  const external = spec.type === 'ExternalName';
  const exportTo = svc.metadata?.annotations?.[EXPORT_TO_ANNOTATION]?.split(',').map((s) => s.trim()).filter(Boolean);
  const created = svc.metadata?.creationTimestamp ? new Date(svc.metadata.creationTimestamp as unknown as string).getTime() : undefined;
  return {
    hostname: kubeHostname(name, namespace, domainSuffix),
    namespace,
    name,
    ports,
    addresses: !headless && clusterIp ? (spec.clusterIPs?.length ? spec.clusterIPs : [clusterIp]) : [],
    labels: svc.metadata?.labels ?? {},
    exportTo: exportTo && exportTo.length > 0 ? exportTo : ['*'],
    resolution: external ? 'DNS' : headless ? 'NONE' : 'STATIC',
    meshExternal: external,
    registry: 'kubernetes',
    ...(created !== undefined && !Number.isNaN(created) ? { createdAt: created } : {}),
  };
}

function podTlsMode(pod: V1Pod | undefined): TlsMode {
  if (!pod) return 'disabled';
  const label = pod.metadata?.labels?.['security.istio.io/tlsMode'];
  if (label) return label === 'istio' ? 'istio' : 'disabled';
  const hasSidecar = pod.metadata?.annotations?.['sidecar.istio.io/status'] !== undefined || (pod.spec?.containers ?? []).some((c) => c.name === 'istio-proxy');
  return hasSidecar ? 'istio' : 'disabled';
}

function podLocality(pod: V1Pod | undefined, zone: string | undefined): string | undefined {
  const labels = pod?.metadata?.labels ?? {};
  const region = labels['topology.kubernetes.io/region'] ?? '';
  const z = labels['topology.kubernetes.io/zone'] ?? zone ?? '';
  const sub = labels['topology.istio.io/subzone'] ?? '';
  return region || z || sub ? `${region}/${z}/${sub}` : undefined;
}

/** Endpoints of `service` from its EndpointSlices; `pods` by `namespace/name` give labels and identity. */
export function convertEndpointSlices(service: Service, slices: readonly V1EndpointSlice[], pods: ReadonlyMap<string, V1Pod>): ServiceEndpoint[] {
  const out: ServiceEndpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.terminating && !ep.conditions?.serving) continue;
      const ref = ep.targetRef?.kind === 'Pod' ? `${ep.targetRef.namespace ?? service.namespace}/${ep.targetRef.name}` : undefined;
      const pod = ref ? pods.get(ref) : undefined;
      const health = ep.conditions?.ready === false ? 'UNHEALTHY' : 'HEALTHY';
      const locality = podLocality(pod, ep.zone);
      for (const sp of service.ports) {
        const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === sp.name) ?? (service.ports.length === 1 && slice.ports?.length === 1 ? slice.ports[0] : undefined);
        if (!slicePort?.port) continue;
        for (const address of ep.addresses.slice(0, 1)) {
          out.push({
            hostname: service.hostname,
            namespace: service.namespace,
            servicePort: sp.port,
            servicePortName: sp.name,
            address,
            port: slicePort.port,
            labels: pod?.metadata?.labels ?? {},
            serviceAccount: pod?.spec?.serviceAccountName ?? 'default',
            health,
            tlsMode: podTlsMode(pod),
            workload: pod?.metadata?.name ?? ep.targetRef?.name ?? address,
            workloadNamespace: pod?.metadata?.namespace ?? service.namespace,
            ...(locality ? { locality } : {}),
          });
        }
      }
    }
  }
  return out;
}

/** Running pods with an IP, as workload instances. */
export function podInstance(pod: V1Pod): WorkloadInstance | undefined {
  const ip = pod.status?.podIP;
  if (!ip || !pod.metadata?.name) return undefined;
  const ports: Record<string, number> = {};
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status === 'True';
  const locality = podLocality(pod, undefined);
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? 'default',
    address: ip,
    labels: pod.metadata.labels ?? {},
    serviceAccount: pod.spec?.serviceAccountName ?? 'default',
    ports,
    health: ready ? 'HEALTHY' : 'UNHEALTHY',
    tlsMode: podTlsMode(pod),
    ...(locality ? { locality } : {}),
  };
}

/** An ExternalName Service's one endpoint per port: the external DNS name (resolved by the proxy). */
export function externalNameEndpoints(service: Service, raw: V1Service): ServiceEndpoint[] {
  const name = raw.spec?.externalName;
  if (raw.spec?.type !== 'ExternalName' || !name) return [];
  return service.ports.map((p) => ({
    hostname: service.hostname,
    namespace: service.namespace,
    servicePort: p.port,
    servicePortName: p.name,
    address: name,
    port: p.targetPort ?? p.port,
    labels: {},
    serviceAccount: '',
    health: 'HEALTHY' as const,
    tlsMode: 'disabled' as const,
  }));
}
