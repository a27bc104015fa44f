// The built Pilot against a real NATS: boot contract, config and workloads
// from the buckets to xDS, debug endpoints, NACK reporting, endpoint-only
// pushes, invalid config skipped, and serving on while NATS is away.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import { BUCKETS, openBucket, type KV } from '@sextant/nats';
import { TYPE_URL } from '@sextant/proto';
import { bootService, expectBadSettingRefused, expectCleanShutdown, type BootedService } from '@sextant/testing';
import { spawnNatsServer, waitFor } from '@sextant/util';
import { toWorkloadRecord, workloadKey } from '@sextant/workloads';
import { AdsTestClient } from '../test/support/ads-client';

const HOST = 'echo.default.svc.cluster.local';
const LISTENER = `${HOST}:7070`;
const CLIENT_NODE = {
  id: 'sidecar~127.0.0.9~client-1.default~default.svc.cluster.local',
  metadata: { fields: { GENERATOR: { stringValue: 'grpc' }, NAMESPACE: { stringValue: 'default' }, INSTANCE_IPS: { stringValue: '127.0.0.9' } } },
};

let svc: BootedService;
let nc: NatsConnection;
let store: ConfigStore;
let workloads: KV;
const clients: AdsTestClient[] = [];

const json = async <T>(path: string): Promise<T> => (await (await fetch(`${svc.admin}${path}`)).json()) as T;

async function announce(instance: string, address: string, version: string): Promise<void> {
  const rec = toWorkloadRecord(
    { name: `echo-${version}`, service: 'echo', version, namespace: 'default', serviceAccount: 'echo', instance, labels: { app: 'echo', version }, address, ports: [{ name: 'grpc', port: 7070, protocol: 'GRPC' }] },
    'HEALTHY',
  );
  await workloads.put(workloadKey('default', instance), JSON.stringify(rec));
}

function resource(kind: string, name: string, spec: Record<string, unknown>): Resource {
  return { apiVersion: 'networking.istio.io/v1', kind, metadata: { name, namespace: 'default' }, spec } as Resource;
}

const DR = resource('DestinationRule', 'echo', { host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
const VS = resource('VirtualService', 'echo', {
  hosts: [HOST],
  http: [{ route: [{ destination: { host: HOST, subset: 'v1' }, weight: 90 }, { destination: { host: HOST, subset: 'v2' }, weight: 10 }] }],
});

function client(): AdsTestClient {
  const c = new AdsTestClient(`127.0.0.1:${svc.ports['xds']}`, CLIENT_NODE);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  svc = await bootService('pilot', 'apps/pilot', { xds: 'PILOT_XDS_PORT', xdsTls: 'PILOT_XDS_TLS_PORT', webhook: 'PILOT_WEBHOOK_PORT' });
  nc = await connect({ servers: svc.nats.url });
  store = new ConfigStore({ kv: await openBucket(nc, BUCKETS.config) });
  workloads = await openBucket(nc, BUCKETS.workloads);
  await announce('echo-v1-0', '127.0.0.11', 'v1');
  await announce('echo-v2-0', '127.0.0.12', 'v2');
  await store.apply([DR, VS]);
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await nc?.close().catch(() => undefined);
  await svc?.cleanup();
});

describe('pilot process', () => {
  it('is ready once NATS is connected and the initial config and registry are loaded', async () => {
    const ready = await json<{ ready: boolean; checks: Record<string, { ready: boolean }> }>('/readyz');
    expect(ready).toMatchObject({ ready: true, checks: { nats: { ready: true }, config: { ready: true }, registry: { ready: true } } });
    expect(await (await fetch(`${svc.admin}/metrics`)).text()).toContain('process_resident_memory_bytes{component="pilot"}');
  });

  it('serves a proxyless client the listener, route, cluster and endpoints its config and registry give', async () => {
    await waitFor(async () => (await json<{ resources: unknown[] }>('/debug/configz')).resources.length === 2, { timeoutMs: 10_000, what: 'config loaded' });
    await waitFor(async () => (await json<{ services: unknown[] }>('/debug/registryz')).services.length === 1, { timeoutMs: 10_000, what: 'registry loaded' });
    await waitFor(
      async () => {
        const s = await json<{ pending?: unknown; pushes: { services: number; virtualServices: number }[] }>('/debug/push_status');
        return !s.pending && s.pushes[0]?.services === 1 && s.pushes[0].virtualServices === 1;
      },
      { timeoutMs: 10_000, what: 'a push with the service and its VirtualService' },
    );
    const c = client();
    c.request(TYPE_URL.listener, [LISTENER]);
    const lds = await c.next(TYPE_URL.listener);
    expect(lds.resources.map((r) => r['name'])).toEqual([LISTENER]);
    c.request(TYPE_URL.listener, [LISTENER], lds);
    c.request(TYPE_URL.route, [LISTENER]);
    const rds = await c.next(TYPE_URL.route);
    const clusters = JSON.stringify(rds.resources[0]);
    expect(clusters).toContain(`outbound|7070|v1|${HOST}`);
    expect(clusters).toContain(`outbound|7070|v2|${HOST}`);
    c.request(TYPE_URL.route, [LISTENER], rds);
    const names = [`outbound|7070|v1|${HOST}`, `outbound|7070|v2|${HOST}`];
    c.request(TYPE_URL.cluster, names);
    const cds = await c.next(TYPE_URL.cluster);
    expect(cds.resources.map((r) => r['name']).sort()).toEqual(names);
    c.request(TYPE_URL.cluster, names, cds);
    c.request(TYPE_URL.endpoint, names);
    const eds = await c.next(TYPE_URL.endpoint);
    expect(JSON.stringify(eds.resources)).toContain('127.0.0.11');
    c.request(TYPE_URL.endpoint, names, eds);

    await waitFor(
      async () => {
        const [entry] = await json<{ types: Record<string, { sync: string }> }[]>(`/debug/syncz?proxy=${encodeURIComponent(CLIENT_NODE.id)}`);
        return entry && ['lds', 'rds', 'cds', 'eds'].every((t) => entry.types[t]!.sync === 'SYNCED') && entry.types['sds']!.sync === 'NOT SENT';
      },
      { timeoutMs: 5000, what: 'syncz SYNCED' },
    );
    const dump = await json<{ configs: Record<string, { name: string }[]> }>(`/debug/config_dump?proxy=${encodeURIComponent(CLIENT_NODE.id)}`);
    expect(dump.configs['clusters']!.map((x) => x.name)).toEqual(expect.arrayContaining(names));
    expect(dump.configs['listeners']!.map((x) => x.name)).toContain(LISTENER);
    expect((await fetch(`${svc.admin}/debug/config_dump?proxy=nobody`)).status).toBe(404);
    const status = await json<{ pushes: { reason: string[] }[]; connected: number }>('/debug/push_status');
    expect(status.connected).toBeGreaterThanOrEqual(1);
    expect(status.pushes.length).toBeGreaterThan(0);
  });

  it('reports a NACK with the client error text, per type', async () => {
    const c = client();
    c.request(TYPE_URL.listener, [LISTENER]);
    const lds = await c.next(TYPE_URL.listener);
    c.request(TYPE_URL.listener, [LISTENER], { versionInfo: '', nonce: lds.nonce }, 'listener rejected: bad filter');
    await waitFor(
      async () => {
        const list = await json<{ connectionId: string; types: Record<string, { sync: string; lastNack?: { message: string } }> }[]>(
          `/debug/syncz?proxy=${encodeURIComponent(CLIENT_NODE.id)}`,
        );
        return list.some((e) => e.types['lds']!.sync === 'NACKED' && e.types['lds']!.lastNack?.message === 'listener rejected: bad filter');
      },
      { timeoutMs: 5000, what: 'NACKED in syncz' },
    );
    expect(await (await fetch(`${svc.admin}/metrics`)).text()).toMatch(/pilot_total_xds_rejects\{type="lds",component="pilot"\} [1-9]/);
    c.close();
  });

  it('pushes only endpoints when only endpoints change', async () => {
    const c = client();
    const names = [`outbound|7070|v1|${HOST}`];
    c.request(TYPE_URL.cluster, names);
    const cds = await c.next(TYPE_URL.cluster);
    c.request(TYPE_URL.cluster, names, cds);
    c.request(TYPE_URL.endpoint, names);
    const eds = await c.next(TYPE_URL.endpoint);
    c.request(TYPE_URL.endpoint, names, eds);
    await c.drain(300);
    await announce('echo-v1-1', '127.0.0.13', 'v1');
    const next = await c.next(undefined, 5000);
    expect(next.typeUrl).toBe(TYPE_URL.endpoint);
    expect(JSON.stringify(next.resources)).toContain('127.0.0.13');
    c.request(TYPE_URL.endpoint, names, next);
    expect((await c.drain(500)).filter((d) => d.typeUrl === TYPE_URL.cluster)).toEqual([]);
    const status = await json<{ pushes: { full: boolean; types: string[] | 'all' }[] }>('/debug/push_status');
    expect(status.pushes[0]).toMatchObject({ full: false, types: ['eds'] });
    c.close();
  });

  it('skips a malformed resource written behind Galley, keeping the rest', async () => {
    const before = (await json<{ pushVersion: string }>('/debug/push_status')).pushVersion;
    await store.apply([resource('VirtualService', 'broken', { hosts: [HOST], http: [{ route: [{ destination: { host: HOST }, weight: 'lots' }] }] })]);
    await waitFor(async () => (await json<{ rejected: { key: string }[] }>('/debug/configz')).rejected.some((r) => r.key === 'VirtualService/default/broken'), {
      timeoutMs: 5000,
      what: 'the broken VirtualService reported',
    });
    const configz = await json<{ resources: { metadata: { name: string } }[]; rejected: { reason: string }[] }>('/debug/configz');
    expect(configz.resources.map((r) => r.metadata.name).sort()).toEqual(['echo', 'echo']);
    expect(configz.rejected[0]!.reason).toMatch(/weight/);
    expect((await json<{ pushVersion: string }>('/debug/push_status')).pushVersion).toBe(before);
    expect(await (await fetch(`${svc.admin}/metrics`)).text()).toMatch(/sextant_pilot_invalid_configs\{component="pilot"\} 1/);
  });

  it('keeps serving its last snapshot while NATS is away, and reports not ready', async () => {
    const port = svc.nats.port;
    const dataDir = svc.nats.process.spawnargs[svc.nats.process.spawnargs.indexOf('-sd') + 1]!;
    await nc.close();
    await svc.nats.stop();
    await waitFor(async () => (await fetch(`${svc.admin}/readyz`)).status === 503, { timeoutMs: 10_000, what: 'not ready without NATS' });
    const c = client();
    c.request(TYPE_URL.endpoint, [`outbound|7070|v1|${HOST}`]);
    const eds = await c.next(TYPE_URL.endpoint);
    expect(JSON.stringify(eds.resources)).toContain('127.0.0.11');
    c.close();
    svc.nats = await spawnNatsServer({ dataDir, port });
    await waitFor(async () => (await fetch(`${svc.admin}/readyz`)).status === 200, { timeoutMs: 20_000, what: 'ready again after NATS returns' });
  });

  it('refuses a bad setting with its name and reason', async () => {
    await expectBadSettingRefused('apps/pilot', ['--debounce-after', 'soon'], /invalid setting debounceAfter \(--debounce-after \/ PILOT_DEBOUNCE_AFTER\).*"soon" is not a duration/);
  });

  it('exits 0 on SIGTERM within 10 s, with xDS streams open', async () => {
    const c = client();
    c.request(TYPE_URL.listener, [LISTENER]);
    await c.next(TYPE_URL.listener);
    await expectCleanShutdown(svc);
  });
});
