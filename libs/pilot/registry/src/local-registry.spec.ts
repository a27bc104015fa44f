// Against a real nats-server: instances appear, change health (an
// endpoint-only event), and disappear on delete and on TTL expiry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, spawnNatsServer, waitFor, type SpawnedNats } from '@sextant/util';
import { WORKLOAD_RECORD_VERSION, workloadKey, type WorkloadRecord } from '@sextant/workloads';
import { LocalRegistry } from './local-registry';
import type { RegistryEvent } from './service-registry';

function record(instance: string, address: string, version: string, health: 'HEALTHY' | 'UNHEALTHY' = 'HEALTHY'): WorkloadRecord {
  return {
    v: WORKLOAD_RECORD_VERSION,
    name: `reviews-${version}`,
    service: 'reviews',
    namespace: 'default',
    serviceAccount: 'bookinfo-reviews',
    instance,
    labels: { app: 'reviews', version },
    address,
    ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
    health,
    sidecar: { outbound: 15001, inbound: 15006, admin: 15000 },
    updatedAt: new Date().toISOString(),
  };
}

const put = (kv: KV, r: WorkloadRecord) => kv.put(workloadKey(r.namespace, r.instance), JSON.stringify(r));

describe('LocalRegistry (real nats-server)', () => {
  let nats: SpawnedNats;
  let nc: NatsConnection;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sextant-registry-'));
    nats = await spawnNatsServer({ dataDir: dir });
    nc = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function registryOn(bucket: string, ttlMs: number) {
    const kv = await new Kvm(nc).create(bucket, { history: 1, ttl: ttlMs });
    const reg = new LocalRegistry({ logger: silentLogger(), openKv: async () => kv, sweepIntervalMs: 200 });
    const events: RegistryEvent[] = [];
    reg.onChange((e) => events.push(e));
    return { kv, reg, events };
  }

  it('reads existing entries on start, then follows puts, health changes and deletes', async () => {
    const kv = await new Kvm(nc).create('wl_basic', { history: 1, ttl: 15_000 });
    await put(kv, record('reviews-v1-0', '127.0.10.1', 'v1'));
    const reg = new LocalRegistry({ logger: silentLogger(), openKv: async () => kv });
    const events: RegistryEvent[] = [];
    reg.onChange((e) => events.push(e));
    await reg.start();
    try {
      expect(reg.synced).toBe(true);
      const [svc] = reg.services();
      expect(svc).toMatchObject({ hostname: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default', registry: 'local' });
      expect(svc!.addresses[0]).toMatch(/^240\.240\.\d+\.\d+$/);
      expect(svc!.ports).toEqual([{ name: 'http', port: 9080, protocol: 'HTTP' }]);

      // a second instance: same service definition, endpoints change only
      await put(kv, record('reviews-v2-0', '127.0.10.2', 'v2'));
      await waitFor(() => reg.endpoints().length === 2, { timeoutMs: 5000, what: 'second instance' });
      expect(events.at(-1)).toMatchObject({ kind: 'endpoint', services: [{ hostname: 'reviews.default.svc.cluster.local' }] });
      const ep = reg.endpoints().find((e) => e.address === '127.0.10.2')!;
      expect(ep).toMatchObject({ port: 9080, servicePort: 9080, labels: { version: 'v2' }, serviceAccount: 'bookinfo-reviews', health: 'HEALTHY', tlsMode: 'istio', workload: 'reviews-v2-0' });

      // health change: endpoint-only event
      events.length = 0;
      await put(kv, record('reviews-v2-0', '127.0.10.2', 'v2', 'UNHEALTHY'));
      await waitFor(() => events.length > 0, { timeoutMs: 5000, what: 'health event' });
      expect(events).toEqual([{ registry: 'local', kind: 'endpoint', services: [{ hostname: 'reviews.default.svc.cluster.local', namespace: 'default' }] }]);
      expect(reg.endpoints().find((e) => e.address === '127.0.10.2')!.health).toBe('UNHEALTHY');

      // delete one instance: endpoint event; delete the last: service event
      events.length = 0;
      await kv.delete(workloadKey('default', 'reviews-v2-0'));
      await waitFor(() => reg.endpoints().length === 1, { timeoutMs: 5000, what: 'delete' });
      expect(events.at(-1)!.kind).toBe('endpoint');
      await kv.delete(workloadKey('default', 'reviews-v1-0'));
      await waitFor(() => reg.services().length === 0, { timeoutMs: 5000, what: 'last delete' });
      expect(events.at(-1)!.kind).toBe('service');
    } finally {
      await reg.stop();
    }
  });

  it('drops an instance whose entry expires (short-TTL bucket)', async () => {
    const { kv, reg, events } = await registryOn('wl_ttl', 1500);
    await reg.start();
    try {
      await put(kv, record('reviews-v1-0', '127.0.10.1', 'v1'));
      await waitFor(() => reg.services().length === 1, { timeoutMs: 5000, what: 'instance' });
      const t0 = Date.now();
      await waitFor(() => reg.services().length === 0, { timeoutMs: 6000, intervalMs: 50, what: 'expiry' });
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(events.map((e) => e.kind)).toEqual(['service', 'service']);
    } finally {
      await reg.stop();
    }
  });

  it('keeps an instance that is refreshed before its TTL', async () => {
    const { kv, reg } = await registryOn('wl_refresh', 1500);
    await reg.start();
    try {
      const r = record('reviews-v1-0', '127.0.10.1', 'v1');
      await put(kv, r);
      for (let i = 0; i < 5; i++) {
        await new Promise((res) => setTimeout(res, 600));
        await put(kv, r);
        expect(reg.services()).toHaveLength(1);
      }
    } finally {
      await reg.stop();
    }
  });

  it('gives a service the same VIP after a restart (deterministic from the hostname)', async () => {
    const kv = await new Kvm(nc).create('wl_vip', { history: 1, ttl: 15_000 });
    await put(kv, record('reviews-v1-0', '127.0.10.1', 'v1'));
    const a = new LocalRegistry({ logger: silentLogger(), openKv: async () => kv });
    const b = new LocalRegistry({ logger: silentLogger(), openKv: async () => kv });
    await a.start();
    await b.start();
    expect(a.services()[0]!.addresses).toEqual(b.services()[0]!.addresses);
    await a.stop();
    await b.stop();
  });
});
