import { describe, expect, it } from 'vitest';
import type { Service, ServiceEndpoint } from '@sextant/pilot-model';
import { AggregateRegistry } from './aggregate-registry';
import { MemoryRegistry } from './memory-registry';
import { pushRequestFor, type RegistryEvent } from './service-registry';

const svc = (host: string, registry: string): Service => ({ hostname: host, namespace: 'default', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }], addresses: [], labels: {}, exportTo: ['*'], resolution: 'STATIC', meshExternal: false, registry });
const ep = (host: string, address: string): ServiceEndpoint => ({ hostname: host, namespace: 'default', servicePort: 80, servicePortName: 'http', address, port: 8080, labels: {}, serviceAccount: 'sa', health: 'HEALTHY', tlsMode: 'istio' });

describe('AggregateRegistry and MemoryRegistry', () => {
  it('first registry wins a definition, endpoints union, events pass through', async () => {
    const a = new MemoryRegistry('a');
    const b = new MemoryRegistry('b');
    const agg = new AggregateRegistry([a, b]);
    const events: RegistryEvent[] = [];
    agg.onChange((e) => events.push(e));
    await agg.start();
    a.addService(svc('x.com', 'a'), [ep('x.com', '10.0.0.1')]);
    b.addService(svc('x.com', 'b'), [ep('x.com', '10.0.0.2')]);
    b.addService(svc('y.com', 'b'));
    expect(agg.services().map((s) => `${s.hostname}@${s.registry}`)).toEqual(['x.com@a', 'y.com@b']);
    expect(agg.endpoints().map((e) => e.address).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(events.map((e) => `${e.registry}:${e.kind}`)).toEqual(['a:service', 'b:service', 'b:service']);
    events.length = 0;
    a.setHealth('10.0.0.1', 'UNHEALTHY');
    expect(events).toEqual([{ registry: 'a', kind: 'endpoint', services: [{ hostname: 'x.com', namespace: 'default' }] }]);
    const req = pushRequestFor(events[0]!, 5);
    expect(req).toMatchObject({ full: false, start: 5 });
    expect([...req.configsUpdated!]).toEqual(['Service/default/x.com']);
    expect(pushRequestFor({ registry: 'a', kind: 'service', services: [] }).full).toBe(true);
    a.setHealth('10.0.0.1', 'UNHEALTHY');
    expect(events).toHaveLength(1); // no change, no event
    await agg.stop();
  });
});
