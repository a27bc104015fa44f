// The node identity tells Pilot how traffic reaches the sidecar: Istio's
// INTERCEPTION_MODE metadata follows the proxy's interception setting.
import { describe, expect, it } from 'vitest';
import { workloadFromEnv } from '@sextant/workloads';
import { nodeMetadata } from '@sextant/xds-client';
import { proxyIdentity, type IdentityInput } from './identity';

const base: IdentityInput = {
  mode: 'sidecar',
  workload: workloadFromEnv({ SEXTANT_SERVICE: 'hello', SEXTANT_ADDRESS: '10.0.0.3' }),
  named: true,
  ports: { outbound: 15001, inbound: 15006, admin: 15000, health: 15021 },
  clusterId: 'Kubernetes',
  trustDomain: 'cluster.local',
  version: 'test',
};

describe('INTERCEPTION_MODE in the node metadata', () => {
  it('is REDIRECT for a sidecar behind capture rules, NONE by default and for gateways', () => {
    expect(nodeMetadata(proxyIdentity({ ...base, interceptionMode: 'REDIRECT' }).node)['INTERCEPTION_MODE']).toBe('REDIRECT');
    expect(nodeMetadata(proxyIdentity(base).node)['INTERCEPTION_MODE']).toBe('NONE');
    expect(nodeMetadata(proxyIdentity({ ...base, mode: 'ingress', named: false, interceptionMode: 'REDIRECT' }).node)['INTERCEPTION_MODE']).toBe('NONE');
  });
});
