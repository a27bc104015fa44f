import { jsonToStruct } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { parseIstioId, proxyFromNode } from './proxy-id';

describe('proxy identity from the node', () => {
  it("parses Istio's sidecar~ip~pod.namespace~domain", () => {
    const r = proxyFromNode({ id: 'sidecar~10.0.0.1~reviews-v1-7d9f.bookinfo~bookinfo.svc.cluster.local', cluster: 'reviews.bookinfo' } as never);
    expect(r.ok && r.value).toMatchObject({
      id: 'sidecar~10.0.0.1~reviews-v1-7d9f.bookinfo~bookinfo.svc.cluster.local',
      istio: true,
      type: 'sidecar',
      ipAddresses: ['10.0.0.1'],
      podId: 'reviews-v1-7d9f.bookinfo',
      podName: 'reviews-v1-7d9f',
      namespace: 'bookinfo',
      dnsDomain: 'bookinfo.svc.cluster.local',
      cluster: 'reviews.bookinfo',
    });
  });

  it('reads metadata (as a Struct) and lets NAMESPACE, NAME and INSTANCE_IPS win; gateways are routers', () => {
    const r = proxyFromNode({
      id: 'router~10.0.0.2~istio-ingressgateway-5c.istio-system~istio-system.svc.cluster.local',
      metadata: jsonToStruct({ NAMESPACE: 'gateways', NAME: 'ingress-0', INSTANCE_IPS: '10.0.0.2,fd00::2', LABELS: { istio: 'ingressgateway' } }),
      userAgentName: 'envoy',
      userAgentBuildVersion: { version: { majorNumber: 1, minorNumber: 30, patch: 1 } },
      clientFeatures: ['envoy.lb.does_not_support_overprovisioning'],
    } as never);
    expect(r.ok && r.value).toMatchObject({
      type: 'router',
      namespace: 'gateways',
      podName: 'ingress-0',
      ipAddresses: ['10.0.0.2', 'fd00::2'],
      metadata: { LABELS: { istio: 'ingressgateway' } },
      userAgent: 'envoy/1.30.1',
      clientFeatures: ['envoy.lb.does_not_support_overprovisioning'],
    });
  });

  it('accepts plain ids such as a gRPC bootstrap sends', () => {
    const r = proxyFromNode({ id: 'projects/123/networks/default/nodes/client-1', userAgentName: 'gRPC Node', userAgentVersion: '1.14.1', locality: { zone: 'a', region: '', subZone: '' } } as never);
    expect(r.ok && r.value).toMatchObject({ id: 'projects/123/networks/default/nodes/client-1', istio: false, ipAddresses: [], userAgent: 'gRPC Node/1.14.1', locality: { zone: 'a' } });
    expect(r.ok && r.value.type).toBeUndefined();
  });

  it('rejects a missing node and malformed Istio ids', () => {
    expect(proxyFromNode(undefined).ok).toBe(false);
    expect(proxyFromNode({ id: '' } as never).ok).toBe(false);
    for (const bad of ['sidecar~10.0.0.1~x', 'gateway~10.0.0.1~x.y~y.svc', 'sidecar~ten~x.y~y.svc', 'sidecar~10.0.0.1~~y.svc']) {
      const r = parseIstioId(bad);
      expect(r.ok, bad).toBe(false);
    }
  });
});
