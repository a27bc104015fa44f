import { describe, expect, it } from 'vitest';
import type { IstioResource } from '@sextant/config-model';
import { ServiceEntryRegistry } from './serviceentry-registry';
import { VipAllocator } from './vip-allocator';
import type { RegistryEvent } from './service-registry';
import type { WorkloadInstance } from './workload-instance';

const se = (name: string, spec: unknown, ns = 'default'): IstioResource =>
  ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace: ns }, spec }) as IstioResource;
const wle = (name: string, spec: unknown, ns = 'default'): IstioResource =>
  ({ apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name, namespace: ns }, spec }) as IstioResource;

describe('ServiceEntryRegistry', () => {
  it('converts a DNS ServiceEntry for an external host (endpoint = the host, auto VIP, mesh external)', async () => {
    const reg = new ServiceEntryRegistry();
    await reg.start();
    reg.update([se('googleapis', { hosts: ['www.googleapis.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' })]);
    const [svc] = reg.services();
    expect(svc).toMatchObject({ hostname: 'www.googleapis.com', resolution: 'DNS', meshExternal: true, registry: 'serviceentry' });
    expect(svc!.addresses[0]).toMatch(/^240\.240\./);
    expect(svc!.ports.map((p) => `${p.port}/${p.protocol}`)).toEqual(['80/HTTP', '443/HTTPS']);
    expect(reg.endpoints().map((e) => `${e.address}:${e.port}`)).toEqual(['www.googleapis.com:80', 'www.googleapis.com:443']);
  });

  it('uses STATIC inline endpoints with named ports, and NONE gets no endpoints or VIP', async () => {
    const reg = new ServiceEntryRegistry();
    reg.update([
      se('db', { hosts: ['db.internal'], addresses: ['10.9.0.1'], location: 'MESH_INTERNAL', ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.7', ports: { 'tcp-pg': 15432 }, labels: { 'security.istio.io/tlsMode': 'istio' } }, { address: '10.0.0.8' }] }),
      se('any', { hosts: ['*.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'NONE' }),
    ]);
    const db = reg.services().find((s) => s.hostname === 'db.internal')!;
    expect(db).toMatchObject({ addresses: ['10.9.0.1'], meshExternal: false, resolution: 'STATIC' });
    expect(reg.endpointsOf(db).map((e) => `${e.address}:${e.port}:${e.tlsMode}`)).toEqual(['10.0.0.7:15432:istio', '10.0.0.8:5432:disabled']);
    const any = reg.services().find((s) => s.hostname === '*.example.com')!;
    expect(any).toMatchObject({ resolution: 'NONE', addresses: [] });
    expect(reg.endpointsOf(any)).toEqual([]);
  });

  it('selects WorkloadEntries and workloads of other registries, and follows their changes as endpoint events', async () => {
    let workloads: WorkloadInstance[] = [{ name: 'vm-1', namespace: 'default', address: '127.0.5.1', labels: { app: 'ratings' }, serviceAccount: 'ratings', ports: { http: 9080 }, health: 'HEALTHY', tlsMode: 'istio' }];
    const listeners = new Set<() => void>();
    const reg = new ServiceEntryRegistry({ workloadSources: [{ workloadInstances: () => workloads, onWorkloadsChange: (l) => (listeners.add(l), () => listeners.delete(l)) }] });
    await reg.start();
    reg.update([
      se('ratings', { hosts: ['ratings.vm'], location: 'MESH_INTERNAL', ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', workloadSelector: { labels: { app: 'ratings' } } }),
      wle('ratings-vm-2', { address: '10.0.0.12', labels: { app: 'ratings' }, serviceAccount: 'ratings-vm' }),
      wle('other-ns', { address: '10.0.0.13', labels: { app: 'ratings' } }, 'elsewhere'),
    ]);
    expect(reg.endpoints().map((e) => e.address).sort()).toEqual(['10.0.0.12', '127.0.5.1']);
    const events: RegistryEvent[] = [];
    reg.onChange((e) => events.push(e));
    workloads = [...workloads, { ...workloads[0]!, name: 'vm-3', address: '127.0.5.3' }];
    listeners.forEach((l) => l());
    expect(reg.endpoints()).toHaveLength(3);
    expect(events.map((e) => e.kind)).toEqual(['endpoint']);
  });
});

describe('VipAllocator', () => {
  it('is deterministic from the hostname, sticky, collision-safe, and skips .0/.255', () => {
    const a = new VipAllocator();
    const b = new VipAllocator();
    expect(a.allocate('reviews.default.svc.cluster.local')).toBe(b.allocate('reviews.default.svc.cluster.local'));
    const small = new VipAllocator('240.240.0.0/30');
    // a /30 holds .0-.3; .0 is never given, so three hosts fit
    const ips = ['a', 'b', 'c'].map((h) => small.allocate(h));
    expect(new Set(ips)).toEqual(new Set(['240.240.0.1', '240.240.0.2', '240.240.0.3']));
    expect(() => small.allocate('d')).toThrow(/no free address/);
    small.release('a');
    expect(small.allocate('d')).toBe(ips[0]);
    expect(small.allocate('b')).toBe(ips[1]);
    const many = new VipAllocator();
    const all = [...many.allocateAll(Array.from({ length: 2000 }, (_, i) => `svc-${i}.ns.svc.cluster.local`)).values()];
    expect(new Set(all).size).toBe(2000);
  });
});
