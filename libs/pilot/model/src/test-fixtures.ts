// Builders for tests of this lib and its users: services, endpoints and
// Istio resources with little typing.
import type { IstioResource } from '@sextant/config-model';
import { protocolFromPort } from './protocol';
import type { Service, ServiceEndpoint } from './service';

export function testService(name: string, namespace: string, ports: Record<string, number>, extra: Partial<Service> = {}): Service {
  return {
    hostname: `${name}.${namespace}.svc.cluster.local`,
    namespace,
    name,
    ports: Object.entries(ports).map(([pname, port]) => ({ name: pname, port, protocol: protocolFromPort(pname) })),
    addresses: [],
    labels: { app: name },
    exportTo: ['*'],
    resolution: 'STATIC',
    meshExternal: false,
    registry: 'memory',
    ...extra,
  };
}

export function testEndpoint(service: Service, address: string, labels: Record<string, string>, extra: Partial<ServiceEndpoint> = {}): ServiceEndpoint[] {
  return service.ports.map((p) => ({
    hostname: service.hostname,
    namespace: service.namespace,
    servicePort: p.port,
    servicePortName: p.name,
    address,
    port: p.targetPort ?? p.port,
    labels,
    serviceAccount: `${service.name ?? 'default'}`,
    health: 'HEALTHY' as const,
    tlsMode: 'istio' as const,
    ...extra,
  }));
}

export function resource<K extends IstioResource['kind']>(kind: K, namespace: string, name: string, spec: unknown, created?: string): IstioResource {
  return {
    apiVersion: kind.endsWith('Authentication') || kind === 'AuthorizationPolicy' ? 'security.istio.io/v1' : 'networking.istio.io/v1',
    kind,
    metadata: { name, namespace, ...(created ? { creationTimestamp: created } : {}) },
    spec,
  } as IstioResource;
}
