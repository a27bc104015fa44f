import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyze } from './all-analyzers';
import { mergeRegistries, protocolOfPort, registryFromManifests, registryFromWorkloadRecords } from './registry-input';
import { codes, resources } from './spec-helpers';

describe('registryFromWorkloadRecords', () => {
  it('makes one service per service name and namespace, with the ports of its instances', () => {
    const r = registryFromWorkloadRecords([
      { name: 'echo-v1', instance: 'echo-v1-0', service: 'echo', namespace: 'default', serviceAccount: 'echo', labels: { app: 'echo', version: 'v1' }, ports: [{ name: 'http', port: 18080, protocol: 'HTTP' }] },
      { name: 'echo-v2', instance: 'echo-v2-0', service: 'echo', namespace: 'default', serviceAccount: 'echo', labels: { app: 'echo', version: 'v2' }, ports: [{ name: 'http', port: 18080, protocol: 'HTTP' }, { name: 'tcp', port: 19000, protocol: 'TCP' }] },
      { name: 'echo-v2', service: 'echo', namespace: 'test', serviceAccount: 'default', labels: {}, ports: [] },
    ]);
    expect(r.services).toEqual([
      { name: 'echo', namespace: 'default', ports: [{ port: 18080, name: 'http', protocol: 'HTTP' }, { port: 19000, name: 'tcp', protocol: 'TCP' }] },
      { name: 'echo', namespace: 'test', ports: [] },
    ]);
    expect(r.workloads.map((w) => [w.name, w.namespace, w.service, w.labels['version']])).toEqual([
      ['echo-v1-0', 'default', 'echo', 'v1'],
      ['echo-v2-0', 'default', 'echo', 'v2'],
      ['echo-v2', 'test', 'echo', undefined],
    ]);
  });
});

const MANIFESTS = `
apiVersion: v1
kind: Service
metadata: { name: reviews, annotations: { networking.istio.io/exportTo: "., istio-system" } }
spec:
  selector: { app: reviews }
  ports: [{ port: 9080, name: http }, { port: 9443, name: web, appProtocol: https }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews-v1 }
spec:
  template:
    metadata: { labels: { app: reviews, version: v1 } }
    spec: { containers: [{ name: reviews, image: x, ports: [{ containerPort: 9080 }] }] }
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: { name: ratings-0, namespace: shop, labels: { app: ratings } }
  spec: { containers: [{ name: ratings, image: x }] }
- apiVersion: v1
  kind: Secret
  metadata: { name: bookinfo-cert, namespace: istio-system }
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: ignored }
`;

describe('registryFromManifests', () => {
  const objects = MANIFESTS.split('\n---\n').map((d) => parse(d) as Record<string, unknown>);

  it('reads Services, pod templates, Pods and Secrets (through Lists)', () => {
    const r = registryFromManifests(objects);
    expect(r.services).toEqual([
      { name: 'reviews', namespace: 'default', selector: { app: 'reviews' }, exportTo: ['.', 'istio-system'], ports: [{ port: 9080, name: 'http', protocol: 'HTTP' }, { port: 9443, name: 'web', protocol: 'HTTPS' }] },
    ]);
    expect(r.workloads).toEqual([
      { name: 'reviews-v1', namespace: 'default', labels: { app: 'reviews', version: 'v1' }, ports: [{ port: 9080 }] },
      { name: 'ratings-0', namespace: 'shop', labels: { app: 'ratings' }, ports: [] },
    ]);
    expect(r.secrets).toEqual(['istio-system/bookinfo-cert']);
  });

  it('leaves parts the objects do not describe unknown', () => {
    expect(registryFromManifests([objects[0]!])).toEqual({ services: expect.any(Array) });
    expect(mergeRegistries({ services: [] }, undefined, { secrets: ['a'] })).toEqual({ services: [], secrets: ['a'] });
  });

  it('gives analysis a registry: subsets are matched against the selected pods', () => {
    const registry = registryFromManifests(objects);
    const yaml = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
`;
    expect(codes(analyze({ resources: resources(yaml), ...registry }))).toEqual(['IST0173']);
  });
});

describe('protocolOfPort', () => {
  it('prefers appProtocol, then the name’s prefix, as Istio does', () => {
    expect(protocolOfPort('http-web', undefined)).toBe('HTTP');
    expect(protocolOfPort('grpc', undefined)).toBe('GRPC');
    expect(protocolOfPort('web', 'https')).toBe('HTTPS');
    expect(protocolOfPort('httpx', undefined)).toBeUndefined();
  });
});
