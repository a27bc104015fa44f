// Test inputs: our own Istio YAML (modelled on Istio's security tasks) and
// a small mesh (services + workloads) built straight into a PushContext.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { isIstioKind, normalizeResource, type IstioResource } from '@sextant/config-model';
import { createProxy, parseProtocol, PushContext, type MeshConfig, type ProxyInfo, type Service, type ServiceEndpoint } from '@sextant/pilot-model';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');

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
  return files.flatMap((f) => parseConfigs(readFileSync(join(FIXTURES, 'config', f), 'utf8')));
}

interface MeshFixture {
  services: { name: string; namespace: string; ports: { name: string; port: number; targetPort?: number; protocol: string }[] }[];
  workloads: { service: string; namespace: string; instance: string; address: string; serviceAccount: string; labels: Record<string, string>; sidecar?: boolean }[];
}

let mesh: MeshFixture | undefined;
function meshFixture(): MeshFixture {
  mesh ??= parseAllDocuments(readFileSync(join(FIXTURES, 'mesh.yaml'), 'utf8'))[0]!.toJS() as MeshFixture;
  return mesh;
}

export const hostOf = (name: string, namespace: string) => `${name}.${namespace}.svc.cluster.local`;

/** Services and endpoints of the mesh fixture. */
export function meshRegistry(): { services: Service[]; endpoints: ServiceEndpoint[] } {
  const m = meshFixture();
  const services = m.services.map((s, i): Service => ({
    hostname: hostOf(s.name, s.namespace),
    namespace: s.namespace,
    name: s.name,
    ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: parseProtocol(p.protocol), ...(p.targetPort ? { targetPort: p.targetPort } : {}) })),
    addresses: [`10.96.0.${i + 1}`],
    labels: { app: s.name },
    exportTo: [],
    resolution: 'STATIC',
    meshExternal: false,
    registry: 'memory',
  }));
  const endpoints: ServiceEndpoint[] = [];
  for (const w of m.workloads) {
    const svc = m.services.find((s) => s.name === w.service && s.namespace === w.namespace)!;
    for (const p of svc.ports) {
      endpoints.push({
        hostname: hostOf(svc.name, svc.namespace),
        namespace: svc.namespace,
        servicePort: p.port,
        servicePortName: p.name,
        address: w.address,
        port: p.targetPort ?? p.port,
        labels: w.labels,
        serviceAccount: w.serviceAccount,
        health: 'HEALTHY',
        tlsMode: w.sidecar === false ? 'disabled' : 'istio',
        workload: w.instance,
        workloadNamespace: w.namespace,
      });
    }
  }
  return { services, endpoints };
}

export function buildPush(configs: IstioResource[], meshConfig: Partial<MeshConfig> = {}): PushContext {
  return PushContext.build({ ...meshRegistry(), configs, mesh: meshConfig, version: 'test' });
}

/** The sidecar of the workload instance `<namespace>/<instance>`, as its node would describe it. */
export function sidecarOf(ref: string): ProxyInfo {
  const [namespace, instance] = ref.split('/') as [string, string];
  const w = meshFixture().workloads.find((x) => x.namespace === namespace && x.instance === instance);
  if (!w) throw new Error(`no workload ${ref} in mesh.yaml`);
  return createProxy({ namespace, ipAddresses: [w.address], labels: w.labels, serviceAccount: w.serviceAccount, workloadName: instance });
}

export function ingressGateway(): ProxyInfo {
  return createProxy({ type: 'router', namespace: 'istio-system', ipAddresses: ['10.99.0.1'], labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' }, serviceAccount: 'istio-ingressgateway-service-account', workloadName: 'istio-ingressgateway' });
}

/** The SPIFFE identity of a service account. */
export const spiffe = (namespace: string, sa: string) => `spiffe://cluster.local/ns/${namespace}/sa/${sa}`;
