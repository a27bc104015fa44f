// Where the registry comes from, turned into analysis input: workload
// records (the `sextant_workloads` bucket, or a local workloads file), and
// Kubernetes objects found among the input files (Services, Pods and pod
// templates, Secrets), as `istioctl analyze` reads them.
import type { WorkloadRecord } from '@sextant/workloads';
import type { PortInfo, ServiceInfo, WorkloadInfo } from './input';

/** A workload record, or anything shaped like one (a workloads-file entry has `name` but no `instance`). */
export type WorkloadRecordLike = Pick<WorkloadRecord, 'service' | 'namespace' | 'labels' | 'ports' | 'serviceAccount'> & { name: string; instance?: string };

export interface RegistryInput {
  services?: readonly ServiceInfo[];
  workloads?: readonly WorkloadInfo[];
  secrets?: readonly string[];
}

/** Services (one per service and namespace, ports merged) and workload instances from workload records. */
export function registryFromWorkloadRecords(records: readonly WorkloadRecordLike[]): { services: ServiceInfo[]; workloads: WorkloadInfo[] } {
  const services = new Map<string, ServiceInfo>();
  const workloads: WorkloadInfo[] = [];
  for (const r of records) {
    const ports: PortInfo[] = r.ports.map((p) => ({ port: p.port, name: p.name, protocol: p.protocol }));
    workloads.push({ name: r.instance ?? r.name, namespace: r.namespace, labels: { ...r.labels }, ports, serviceAccount: r.serviceAccount, service: r.service });
    const key = `${r.namespace}/${r.service}`;
    const svc = services.get(key) ?? { name: r.service, namespace: r.namespace, ports: [] };
    for (const p of ports) if (!svc.ports.some((q) => q.port === p.port)) svc.ports.push(p);
    services.set(key, svc);
  }
  return { services: [...services.values()], workloads };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strMap = (v: unknown): Record<string, string> => (isObj(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string> : {});

/** Istio's protocol from a Kubernetes port: appProtocol, else the port name's prefix (`http-web` -> HTTP). */
export function protocolOfPort(name: string | undefined, appProtocol: string | undefined): string | undefined {
  const known = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'redis', 'mysql', 'udp'];
  const pick = (s: string | undefined) => {
    if (!s) return undefined;
    const lower = s.toLowerCase();
    const hit = known.find((k) => lower === k || lower.startsWith(`${k}-`));
    return hit?.toUpperCase();
  };
  return pick(appProtocol) ?? pick(name);
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

function containerPorts(podSpec: unknown): PortInfo[] {
  const out: PortInfo[] = [];
  const containers = isObj(podSpec) && Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
  for (const c of containers) {
    for (const p of isObj(c) && Array.isArray(c['ports']) ? c['ports'] : []) {
      if (isObj(p) && typeof p['containerPort'] === 'number') out.push({ port: p['containerPort'], ...(str(p['name']) ? { name: str(p['name']) } : {}) });
    }
  }
  return out;
}

/** Is this a Kubernetes object (not Istio configuration) that tells analysis about the registry? */
export function isRegistryObject(value: Obj): boolean {
  const kind = str(value['kind']);
  return kind === 'Service' || kind === 'Pod' || kind === 'Secret' || kind === 'List' || (kind !== undefined && WORKLOAD_KINDS.has(kind));
}

/**
 * The registry described by Kubernetes objects. A part is present only when
 * the objects describe it (Services -> services, Pods or pod templates ->
 * workloads, Secrets -> secrets); absent parts stay unknown.
 */
export function registryFromManifests(objects: readonly Obj[], defaultNamespace = 'default'): RegistryInput {
  const out: { services?: ServiceInfo[]; workloads?: WorkloadInfo[]; secrets?: string[] } = {};
  const visit = (value: Obj) => {
    const kind = str(value['kind']);
    const metadata = isObj(value['metadata']) ? value['metadata'] : {};
    const name = str(metadata['name']) ?? '';
    const namespace = str(metadata['namespace']) ?? defaultNamespace;
    const spec = isObj(value['spec']) ? value['spec'] : {};
    if (kind === 'List') {
      for (const item of Array.isArray(value['items']) ? value['items'] : []) if (isObj(item)) visit(item);
    } else if (kind === 'Service') {
      const ports = (Array.isArray(spec['ports']) ? spec['ports'] : []).filter(isObj).map((p) => {
        const protocol = protocolOfPort(str(p['name']), str(p['appProtocol']));
        return { port: Number(p['port']), ...(str(p['name']) ? { name: str(p['name']) } : {}), ...(protocol ? { protocol } : {}) };
      });
      const exportTo = strMap(metadata['annotations'])['networking.istio.io/exportTo'];
      const selector = strMap(spec['selector']);
      (out.services ??= []).push({
        name,
        namespace,
        ports,
        ...(Object.keys(selector).length ? { selector } : {}),
        ...(exportTo ? { exportTo: exportTo.split(',').map((s) => s.trim()) } : {}),
      });
    } else if (kind === 'Pod') {
      (out.workloads ??= []).push({ name, namespace, labels: strMap(metadata['labels']), ports: containerPorts(spec) });
    } else if (kind !== undefined && WORKLOAD_KINDS.has(kind)) {
      const template = isObj(spec['template']) ? spec['template'] : {};
      const tmeta = isObj(template['metadata']) ? template['metadata'] : {};
      (out.workloads ??= []).push({ name, namespace, labels: strMap(tmeta['labels']), ports: containerPorts(template['spec']) });
    } else if (kind === 'Secret') {
      (out.secrets ??= []).push(`${namespace}/${name}`);
    }
  };
  for (const o of objects) visit(o);
  return out;
}

/** Registries combined: a part is known when any source knows it. */
export function mergeRegistries(...parts: readonly (RegistryInput | undefined)[]): RegistryInput {
  const out: RegistryInput = {};
  for (const p of parts) {
    if (!p) continue;
    if (p.services) out.services = [...(out.services ?? []), ...p.services];
    if (p.workloads) out.workloads = [...(out.workloads ?? []), ...p.workloads];
    if (p.secrets) out.secrets = [...(out.secrets ?? []), ...p.secrets];
  }
  return out;
}
