import { describe, expect, it } from 'vitest';
import { proxyFromNode } from './proxy';
import { ModelError } from './errors';

describe('proxyFromNode', () => {
  it('parses Istio ids and metadata', () => {
    const p = proxyFromNode({
      id: 'sidecar~10.1.2.3~reviews-v1-abc.default~default.svc.cluster.local',
      metadata: { LABELS: { app: 'reviews', version: 'v1' }, SERVICE_ACCOUNT: 'bookinfo-reviews' },
      locality: { region: 'us', zone: 'a' },
    });
    expect(p).toMatchObject({ type: 'sidecar', namespace: 'default', ipAddresses: ['10.1.2.3'], serviceAccount: 'bookinfo-reviews', locality: 'us/a/', workloadName: 'reviews-v1-abc', proxyless: false });
    expect(p.labels).toEqual({ app: 'reviews', version: 'v1' });
  });

  it('recognises routers and proxyless gRPC', () => {
    expect(proxyFromNode({ id: 'router~10.0.0.9~gw.istio-system~istio-system.svc.cluster.local' }).type).toBe('router');
    expect(proxyFromNode({ id: 'sidecar~10.0.0.9~c.ns~ns.svc.cluster.local', metadata: { GENERATOR: 'grpc' } }).proxyless).toBe(true);
    const plain = proxyFromNode({ id: 'my-client', userAgentName: 'gRPC Node' });
    expect(plain).toMatchObject({ proxyless: true, namespace: 'default', type: 'sidecar' });
  });

  it('rejects malformed Istio ids', () => {
    expect(() => proxyFromNode({ id: 'waiter~1.2.3.4~x.y~z' })).toThrow(ModelError);
  });
});
