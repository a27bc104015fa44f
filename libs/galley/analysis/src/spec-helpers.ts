// Shared by the specs (not part of the public surface): YAML in, validated
// resources out; a registry of Istio's sample applications; message digests.
import { resolve } from 'node:path';
import { validateFiles } from '@sextant/validation';
import { analyze } from './all-analyzers';
import type { AnalyzeOptions } from './analyzer';
import type { AnalysisInput, LocatedResource, PortInfo, ServiceInfo, WorkloadInfo } from './input';
import type { Message } from './message';

/** shared/ beside the repository. */
export const SHARED = resolve(import.meta.dirname, '../../../../../shared');

/** Validated resources from YAML; throws when the YAML is invalid (a spec's own input must be valid). */
export function resources(yaml: string, file = 'test.yaml'): LocatedResource[] {
  const result = validateFiles([{ file, content: Buffer.from(yaml) }], { skipUnknownKinds: true });
  if (!result.valid) throw new Error(`invalid spec input:\n${result.errors.map((e) => `${e.path}: ${e.reason}`).join('\n')}`);
  return result.resources;
}

const http = (port: number, name = 'http'): PortInfo => ({ port, name, protocol: 'HTTP' });

function app(service: string, namespace: string, versions: readonly string[], ports: PortInfo[], extra: Record<string, string> = {}): { service: ServiceInfo; workloads: WorkloadInfo[] } {
  return {
    service: { name: service, namespace, ports },
    workloads: versions.map((v) => ({ name: `${service}-${v}-0`, namespace, labels: { app: service, version: v, ...extra }, ports, service, serviceAccount: `${namespace === 'default' ? 'bookinfo-' : ''}${service}` })),
  };
}

/** Istio's Bookinfo, every variant its samples deploy (bookinfo.yaml plus details-v2, ratings-v2, -mysql, -mysql-vm, mongodb, mysqldb). */
export const BOOKINFO = [
  app('productpage', 'default', ['v1'], [http(9080)]),
  app('details', 'default', ['v1', 'v2'], [http(9080)]),
  app('reviews', 'default', ['v1', 'v2', 'v3'], [http(9080)]),
  app('ratings', 'default', ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'], [http(9080)]),
  app('mongodb', 'default', ['v1'], [{ port: 27017, name: 'mongo', protocol: 'MONGO' }]),
  app('mysqldb', 'default', ['v1'], [{ port: 3306, name: 'tcp', protocol: 'TCP' }]),
];

/** The other applications Istio's samples route to, and the ingress gateway they bind. */
export const OTHER_SAMPLE_APPS = [
  app('httpbin', 'default', ['v1'], [http(8000)]),
  app('helloworld', 'default', ['v1', 'v2'], [http(5000)]),
  app('tcp-echo', 'default', ['v1', 'v2'], [{ port: 9000, name: 'tcp', protocol: 'TCP' }]),
];

export const INGRESS_GATEWAY: WorkloadInfo = {
  name: 'istio-ingressgateway-0',
  namespace: 'istio-system',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  ports: [http(8080), http(80), { port: 443, name: 'https', protocol: 'HTTPS' }, { port: 31400, name: 'tcp', protocol: 'TCP' }],
};

export function registryOf(apps: readonly { service: ServiceInfo; workloads: WorkloadInfo[] }[], extraWorkloads: WorkloadInfo[] = []): Pick<AnalysisInput, 'services' | 'workloads'> {
  return { services: apps.map((a) => a.service), workloads: [...apps.flatMap((a) => a.workloads), ...extraWorkloads] };
}

/** The sample applications' registry: Bookinfo, httpbin, helloworld, tcp-echo and the ingress gateway. */
export const SAMPLES_REGISTRY = registryOf([...BOOKINFO, ...OTHER_SAMPLE_APPS], [INGRESS_GATEWAY]);

/** Analyses YAML with the samples' registry (and no secrets) unless told otherwise. */
export function analyzeYaml(yaml: string, input: Partial<Omit<AnalysisInput, 'resources'>> = SAMPLES_REGISTRY, options: AnalyzeOptions = {}): Message[] {
  return analyze({ resources: resources(yaml), ...input }, options);
}

/** `IST0101 VirtualService/default/reviews spec.http[0]...` lines, for compact expectations. */
export function digest(messages: readonly Message[]): string[] {
  return messages.map((m) => `${m.code} ${m.origin?.kind ? `${m.origin.kind}/${m.origin.namespace}/${m.origin.name}` : '-'}${m.path ? ` ${m.path}` : ''}`);
}

export const codes = (messages: readonly Message[]): string[] => messages.map((m) => m.code);
