import { describe, expect, it } from 'vitest';
import { proxylessBootstrap } from './bootstrap';

describe('proxylessBootstrap', () => {
  it('names Pilot and the client in Istio’s node form, marked as a gRPC proxyless generator', () => {
    const b = proxylessBootstrap({ xdsAddress: '127.0.0.1:15010', workload: 'client', namespace: 'test', ip: '127.0.10.9', labels: { app: 'client' } });
    expect(b.xds_servers).toEqual([{ server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }]);
    expect(b.node.id).toBe('sidecar~127.0.10.9~client.test~test.svc.cluster.local');
    expect(b.node.metadata).toMatchObject({ GENERATOR: 'grpc', NAMESPACE: 'test', LABELS: { app: 'client' }, INSTANCE_IPS: '127.0.10.9' });
  });
});
