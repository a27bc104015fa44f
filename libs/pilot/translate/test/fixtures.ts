// Test inputs: Istio YAML (our own, or Istio's samples by path) plus a
// registry fixture (local workload records, converted by the registry's own
// local conversion), built into a PushContext; proxies to translate for.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { isIstioKind, normalizeResource, type IstioResource } from '@sextant/config-model';
import { createProxy, PushContext, type MeshConfig, type ProxyInfo, type ServiceEndpoint } from '@sextant/pilot-model';
import { localServices, serviceEntryServices, VipAllocator } from '@sextant/registry';
import { WORKLOAD_RECORD_VERSION, type WorkloadRecord } from '@sextant/workloads';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');
export const ISTIO_SAMPLES = join(here, '../../../../../shared/istio-samples');

/** Parses YAML documents into normalized Istio resources (other kinds skipped). */
export function parseConfigs(text: string, defaultNamespace = 'default'): IstioResource[] {
  const out: IstioResource[] = [];
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as IstioResource | null;
    if (!obj || typeof obj !== 'object' || !isIstioKind(obj.kind)) continue;
    out.push(normalizeResource(obj, { defaultNamespace }));
  }
  return out;
}

export function loadConfigs(...files: string[]): IstioResource[] {
  return files.flatMap((f) => parseConfigs(readFileSync(f.startsWith('/') ? f : join(FIXTURES, 'config', f), 'utf8')));
}

interface WorkloadFixture {
  service: string;
  namespace?: string;
  instance: string;
  address: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  ports: { name: string; port: number; protocol: WorkloadRecord['ports'][number]['protocol'] }[];
  health?: 'HEALTHY' | 'UNHEALTHY';
  sidecar?: boolean;
  locality?: string;
}

/** Reads a registry fixture: `workloads:` as sextant_workloads records. */
export function loadRegistry(name: string): { records: WorkloadRecord[]; localities: Map<string, string> } {
  const doc = parseAllDocuments(readFileSync(join(FIXTURES, 'registry', name), 'utf8'))[0]!.toJS() as { workloads: WorkloadFixture[] };
  const localities = new Map<string, string>();
  const records = doc.workloads.map((w): WorkloadRecord => {
    if (w.locality) localities.set(w.address, w.locality);
    return {
      v: WORKLOAD_RECORD_VERSION,
      name: w.instance.replace(/-\d+$/, ''),
      service: w.service,
      namespace: w.namespace ?? 'default',
      serviceAccount: w.serviceAccount ?? w.service,
      instance: w.instance,
      labels: w.labels ?? { app: w.service },
      address: w.address,
      ports: w.ports,
      health: w.health ?? 'HEALTHY',
      ...(w.sidecar === false ? {} : { sidecar: { outbound: 15001, inbound: 15006, admin: 15000 } }),
      updatedAt: '2024-01-01T00:00:00.000Z',
    };
  });
  return { records, localities };
}

/** A PushContext from a registry fixture and config files (ServiceEntries become services too). */
export function buildPush(registry: string, configs: IstioResource[], mesh: Partial<MeshConfig> = {}): PushContext {
  const vips = new VipAllocator();
  const { records, localities } = loadRegistry(registry);
  const local = localServices(records, 'cluster.local', vips);
  const se = serviceEntryServices(
    configs.filter((c) => c.kind === 'ServiceEntry') as never,
    configs.filter((c) => c.kind === 'WorkloadEntry') as never,
    [],
    vips,
  );
  const withLocality = (e: ServiceEndpoint): ServiceEndpoint => (localities.has(e.address) ? { ...e, locality: localities.get(e.address)! } : e);
  return PushContext.build({
    services: [...local.services, ...se.services],
    endpoints: [...local.endpoints.map(withLocality), ...se.endpoints],
    configs,
    mesh,
    version: 'test',
  });
}

/** A sidecar for the workload at `address` (labels from the registry, as a real node would send them). */
export function sidecar(push: PushContext, address: string, extra: Partial<ProxyInfo> = {}): ProxyInfo {
  const eps = push.services().flatMap((s) => s.ports.flatMap((p) => push.endpoints(s, p.port))).filter((e) => e.address === address);
  const ep = eps[0];
  return createProxy({
    namespace: ep?.workloadNamespace ?? 'default',
    ipAddresses: [address],
    labels: ep?.labels ?? {},
    workloadName: ep?.workload ?? 'client',
    ...(ep ? { serviceAccount: ep.serviceAccount } : {}),
    ...extra,
  });
}

export function router(labels: Record<string, string> = { istio: 'ingressgateway' }, namespace = 'istio-system'): ProxyInfo {
  return createProxy({ type: 'router', namespace, ipAddresses: ['10.99.0.1'], labels, workloadName: 'istio-ingressgateway' });
}

export function grpcClient(namespace = 'default', labels: Record<string, string> = { app: 'grpc-client' }): ProxyInfo {
  return createProxy({ namespace, ipAddresses: ['10.98.0.1'], labels, proxyless: true, metadata: { GENERATOR: 'grpc' }, workloadName: 'grpc-client' });
}
