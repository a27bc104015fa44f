// The Kubernetes registry against a fake API server over real HTTP (list +
// watch): Services, EndpointSlices and Pods become services and endpoints;
// readiness flips are endpoint-only events; deletes remove them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, waitFor } from '@sextant/util';
import { KubeRegistry } from '../src/kube-registry';
import type { RegistryEvent } from '../src/service-registry';
import { FakeKubeApi } from './fake-kube-api';

const SERVICES = '/api/v1/services';
const PODS = '/api/v1/pods';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';

function service(name: string, clusterIP: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', labels: { app: name }, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { clusterIP, ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }, { name: 'grpc-admin', port: 9090, protocol: 'TCP' }] },
  };
}

function pod(name: string, ip: string, version: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'reviews', version, 'security.istio.io/tlsMode': 'istio', 'topology.kubernetes.io/region': 'eu', 'topology.kubernetes.io/zone': 'eu-1a' } },
    spec: { serviceAccountName: 'bookinfo-reviews', containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 9080 }] }] },
    status: { podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function slice(name: string, endpoints: { ip: string; pod: string; ready: boolean }[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'reviews' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 9080, protocol: 'TCP' }, { name: 'grpc-admin', port: 9090, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready }, targetRef: { kind: 'Pod', name: e.pod, namespace: 'default' } })),
  };
}

describe('KubeRegistry (fake API server over HTTP)', () => {
  let api: FakeKubeApi;
  let reg: KubeRegistry;
  const events: RegistryEvent[] = [];

  beforeEach(async () => {
    api = new FakeKubeApi();
    const server = await api.start();
    api.apply(SERVICES, service('reviews', '10.96.0.10'));
    api.apply(PODS, pod('reviews-v1-aaa', '10.1.0.1', 'v1'));
    api.apply(SLICES, slice('reviews-abc', [{ ip: '10.1.0.1', pod: 'reviews-v1-aaa', ready: true }]));
    reg = new KubeRegistry({ kubeConfig: api.kubeConfig(server), logger: silentLogger(), debounceMs: 5 });
    events.length = 0;
    reg.onChange((e) => events.push(e));
    await reg.start();
  });

  afterEach(async () => {
    await reg.stop();
    await api.stop();
  });

  it('lists Services, EndpointSlices and Pods into services and endpoints', () => {
    expect(reg.synced).toBe(true);
    const [svc] = reg.services();
    expect(svc).toMatchObject({ hostname: 'reviews.default.svc.cluster.local', name: 'reviews', addresses: ['10.96.0.10'], resolution: 'STATIC', registry: 'kubernetes' });
    expect(svc!.ports).toEqual([
      { name: 'http', port: 9080, protocol: 'HTTP', targetPort: 9080 },
      { name: 'grpc-admin', port: 9090, protocol: 'GRPC' },
    ]);
    const eps = reg.endpoints().filter((e) => e.servicePort === 9080);
    expect(eps).toHaveLength(1);
    expect(eps[0]).toMatchObject({ address: '10.1.0.1', port: 9080, serviceAccount: 'bookinfo-reviews', health: 'HEALTHY', tlsMode: 'istio', locality: 'eu/eu-1a/', labels: { version: 'v1' } });
    expect(reg.workloadInstances().map((w) => w.name)).toEqual(['reviews-v1-aaa']);
    expect(api.requests.some((r) => r.startsWith('GET /api/v1/services?') && r.includes('watch=true'))).toBe(true);
  });

  it('follows watch events: new pod endpoint, readiness flip (endpoint-only), service change, deletes', async () => {
    await waitFor(() => api.watcherCount(SLICES) > 0 && api.watcherCount(PODS) > 0 && api.watcherCount(SERVICES) > 0, { timeoutMs: 5000, what: 'watches' });
    expect(events.map((e) => e.kind)).toEqual(['service']); // the initial sync
    events.length = 0;
    api.apply(PODS, pod('reviews-v2-bbb', '10.1.0.2', 'v2'));
    api.apply(SLICES, slice('reviews-abc', [
      { ip: '10.1.0.1', pod: 'reviews-v1-aaa', ready: true },
      { ip: '10.1.0.2', pod: 'reviews-v2-bbb', ready: true },
    ]));
    await waitFor(() => reg.endpoints().length === 4, { timeoutMs: 5000, what: 'second endpoint' });
    expect(events.map((e) => e.kind)).toEqual(events.map(() => 'endpoint'));

    events.length = 0;
    api.apply(SLICES, slice('reviews-abc', [
      { ip: '10.1.0.1', pod: 'reviews-v1-aaa', ready: true },
      { ip: '10.1.0.2', pod: 'reviews-v2-bbb', ready: false },
    ]));
    await waitFor(() => reg.endpoints().some((e) => e.health === 'UNHEALTHY'), { timeoutMs: 5000, what: 'readiness' });
    expect(events).toEqual([{ registry: 'kubernetes', kind: 'endpoint', services: [{ hostname: 'reviews.default.svc.cluster.local', namespace: 'default' }] }]);

    events.length = 0;
    api.apply(SERVICES, { ...service('reviews', '10.96.0.10'), spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 9080 }] } });
    await waitFor(() => reg.services()[0]!.ports.length === 1, { timeoutMs: 5000, what: 'port removal' });
    expect(events.map((e) => e.kind)).toEqual(['service']);

    api.remove(SERVICES, 'default', 'reviews');
    await waitFor(() => reg.services().length === 0, { timeoutMs: 5000, what: 'service delete' });
    expect(reg.endpoints()).toEqual([]);
  });

  it('treats a headless Service as resolution NONE', async () => {
    api.apply(SERVICES, { ...service('db', 'None'), metadata: { name: 'db', namespace: 'default' } });
    await waitFor(() => reg.services().length === 2, { timeoutMs: 5000, what: 'headless' });
    expect(reg.services().find((s) => s.name === 'db')).toMatchObject({ resolution: 'NONE', addresses: [] });
  });

  it('treats an ExternalName Service as DNS with the external name as endpoint', async () => {
    api.apply(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'api.example.com', ports: [{ name: 'https', port: 443 }] } });
    await waitFor(() => reg.services().length === 2, { timeoutMs: 5000, what: 'external name' });
    const ext = reg.services().find((s) => s.name === 'ext')!;
    expect(ext).toMatchObject({ resolution: 'DNS', meshExternal: true });
    expect(reg.endpointsOf(ext).map((e) => `${e.address}:${e.port}`)).toEqual(['api.example.com:443']);
  });
});
