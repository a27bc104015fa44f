// Security through the built Pilot against a real NATS: PeerAuthentication and
// AuthorizationPolicy written to the config bucket become the inbound
// listener of a sidecar (mTLS DownstreamTlsContext chains, network and HTTP
// RBAC) over a real ADS stream; DISABLE workloads' endpoints are labelled
// tlsMode disabled; the SDS names `default`/`ROOTCA` are never served and
// hold nothing back; security warnings show in /debug.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import { BUCKETS, openBucket, type KV } from '@sextant/nats';
import { ENVOY_PROTOS_FOR_SECURITY } from '@sextant/pilot-security';
import { loadMoreEnvoyProtos, TYPE_URL, unpackAny, type PackedAny } from '@sextant/proto';
import { bootService, type BootedService } from '@sextant/testing';
import { ENVOY_PROTOS_FOR_TRANSLATION } from '@sextant/translate';
import { waitFor } from '@sextant/util';
import { toWorkloadRecord, workloadKey } from '@sextant/workloads';
import { AdsTestClient, type Decoded } from './support/ads-client';

const SIDECAR = { outbound: 15001, inbound: 15006, admin: 15000 };
const HTTPBIN_NODE = {
  id: 'sidecar~127.0.0.21~httpbin-0.foo~foo.svc.cluster.local',
  metadata: { fields: { NAMESPACE: { stringValue: 'foo' }, INSTANCE_IPS: { stringValue: '127.0.0.21' } } },
};
const BAR_NODE = {
  id: 'sidecar~127.0.0.22~httpbin-0.bar~bar.svc.cluster.local',
  metadata: { fields: { NAMESPACE: { stringValue: 'bar' }, INSTANCE_IPS: { stringValue: '127.0.0.22' } } },
};
const BAR_CLUSTER = 'outbound|8000||httpbin.bar.svc.cluster.local';
const FOO_CLUSTER = 'outbound|8000||httpbin.foo.svc.cluster.local';

let svc: BootedService;
let nc: NatsConnection;
let store: ConfigStore;
let workloads: KV;
const clients: AdsTestClient[] = [];

const json = async <T>(path: string): Promise<T> => (await (await fetch(`${svc.admin}${path}`)).json()) as T;

async function announce(namespace: string, address: string): Promise<void> {
  const rec = toWorkloadRecord(
    { name: 'httpbin', service: 'httpbin', version: 'v1', namespace, serviceAccount: 'httpbin', instance: `httpbin-0.${namespace}`, labels: { app: 'httpbin' }, address, ports: [{ name: 'http', port: 8000, protocol: 'HTTP' }] },
    'HEALTHY',
    SIDECAR,
  );
  await workloads.put(workloadKey(namespace, `httpbin-0`), JSON.stringify(rec));
}

const security = (kind: string, namespace: string, name: string, spec: Record<string, unknown>): Resource =>
  ({ apiVersion: 'security.istio.io/v1', kind, metadata: { name, namespace }, spec }) as Resource;

const STRICT_FOO = security('PeerAuthentication', 'foo', 'default', { mtls: { mode: 'STRICT' } });
const DISABLE_BAR = security('PeerAuthentication', 'bar', 'default', { mtls: { mode: 'DISABLE' } });
const ALLOW_GET_FROM_FOO = security('AuthorizationPolicy', 'foo', 'httpbin-viewer', {
  selector: { matchLabels: { app: 'httpbin' } },
  action: 'ALLOW',
  rules: [{ from: [{ source: { namespaces: ['foo'] } }], to: [{ operation: { methods: ['GET'] } }] }],
});
const CUSTOM = security('AuthorizationPolicy', 'foo', 'ext', { selector: { matchLabels: { app: 'httpbin' } }, action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] });

type Obj = Record<string, unknown>;
/** Nested Any fields come packed: decode them in place (recursively). */
function unpacked(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(unpacked);
  if (typeof x !== 'object' || x === null || x instanceof Uint8Array) return x;
  const o = x as Obj;
  if (typeof o['type_url'] === 'string' && o['value'] instanceof Uint8Array) {
    const { typeUrl, message } = unpackAny(o as unknown as PackedAny);
    return { '@type': typeUrl, ...(unpacked(message) as Obj) };
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unpacked(v)]));
}

/** Subscribes (wildcard) to one type, ACKs, returns the decoded resources. */
async function fetchAll(c: AdsTestClient, typeUrl: string, names: string[] = []): Promise<Obj[]> {
  c.request(typeUrl, names);
  const r: Decoded = await c.next(typeUrl, 10_000);
  c.request(typeUrl, names, r);
  return r.resources.map((x) => unpacked(x) as Obj);
}

function client(node: typeof HTTPBIN_NODE = HTTPBIN_NODE): AdsTestClient {
  const c = new AdsTestClient(`127.0.0.1:${svc.ports['xds']}`, node);
  clients.push(c);
  return c;
}

const chainsOf = (listener: Obj) => listener['filterChains'] as { name: string; filterChainMatch?: Obj; transportSocket?: { typedConfig: Obj }; filters: { name: string; typedConfig: Obj }[] }[];

async function inboundListener(): Promise<Obj> {
  const c = client();
  const listeners = await fetchAll(c, TYPE_URL.listener);
  c.close();
  return listeners.find((l) => l['name'] === 'virtualInbound')!;
}

beforeAll(async () => {
  loadMoreEnvoyProtos([...ENVOY_PROTOS_FOR_TRANSLATION, ...ENVOY_PROTOS_FOR_SECURITY]); // to read nested typed configs
  svc = await bootService('pilot', 'apps/pilot', { xds: 'PILOT_XDS_PORT', xdsTls: 'PILOT_XDS_TLS_PORT', webhook: 'PILOT_WEBHOOK_PORT' });
  nc = await connect({ servers: svc.nats.url });
  store = new ConfigStore({ kv: await openBucket(nc, BUCKETS.config) });
  workloads = await openBucket(nc, BUCKETS.workloads);
  await announce('foo', '127.0.0.21');
  await announce('bar', '127.0.0.22');
  await waitFor(async () => (await json<{ services: unknown[] }>('/debug/registryz')).services.length === 2, { timeoutMs: 15_000, what: 'both services in the registry' });
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await nc?.close().catch(() => undefined);
  await svc?.cleanup();
});

describe('Pilot with security config', () => {
  it('without policies: PERMISSIVE chains (mTLS, TLS passthrough, plaintext) on the workload port and the passthrough chain', async () => {
    const chains = chainsOf(await inboundListener());
    expect(chains.map((c) => c.name)).toEqual(['inbound_0.0.0.0_8000-mtls', 'inbound_0.0.0.0_8000', 'virtualInbound-catchall-mtls', 'virtualInbound-catchall-tls', 'virtualInbound-catchall']);
  });

  it('PeerAuthentication STRICT + an AuthorizationPolicy: only mTLS chains, with the workload certificate from SDS `default`, roots from `ROOTCA`, and RBAC', async () => {
    const before = (await json<{ pushVersion: string }>('/debug/push_status')).pushVersion;
    await store.apply([STRICT_FOO, ALLOW_GET_FROM_FOO]);
    await waitFor(async () => (await json<{ pushVersion: string; pending?: unknown }>('/debug/push_status')).pushVersion !== before, { timeoutMs: 10_000, what: 'a push after the policies' });
    const chains = await waitFor(async () => {
      const cs = chainsOf(await inboundListener());
      return cs.every((c) => c.name.endsWith('-mtls')) ? cs : undefined;
    }, { timeoutMs: 10_000, what: 'STRICT chains' });
    expect(chains.map((c) => c.name)).toEqual(['inbound_0.0.0.0_8000-mtls', 'virtualInbound-catchall-mtls']);
    for (const chain of chains) {
      expect(chain.filterChainMatch).toMatchObject({ transportProtocol: 'tls' });
      const tls = chain.transportSocket!.typedConfig;
      expect(tls['@type']).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext');
      expect(tls).toMatchObject({
        requireClientCertificate: { value: true },
        commonTlsContext: {
          tlsCertificateSdsSecretConfigs: [{ name: 'default' }],
          combinedValidationContext: { validationContextSdsSecretConfig: { name: 'ROOTCA' }, defaultValidationContext: { matchSubjectAltNames: [{ prefix: 'spiffe://cluster.local/' }] } },
        },
      });
    }
    const hcm = chains[0]!.filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager')!.typedConfig;
    const httpFilters = (hcm['httpFilters'] as { name: string; typedConfig: Obj }[]).map((f) => f.name);
    expect(httpFilters).toEqual(['envoy.filters.http.rbac.allow', 'envoy.filters.http.router']);
    const rbac = (hcm['httpFilters'] as { name: string; typedConfig: Obj }[])[0]!.typedConfig;
    expect(rbac['@type']).toBe('type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC');
    expect(JSON.stringify(rbac)).toContain('ns[foo]-policy[httpbin-viewer]-rule[0]');
    expect(JSON.stringify(rbac)).toContain('.*/ns/foo/.*');
    // The passthrough chain is TCP: network RBAC (an ALLOW with HTTP-only fields matches nothing there: fail closed).
    expect(chains[1]!.filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac.allow', 'envoy.filters.network.tcp_proxy']);
  });

  it('serves no Secret for `default`/`ROOTCA` (the proxy resolves them locally), and holds nothing back for them', async () => {
    const c = client();
    const listeners = await fetchAll(c, TYPE_URL.listener);
    expect(listeners.map((l) => l['name'])).toContain('virtualInbound');
    c.request(TYPE_URL.secret, ['default', 'ROOTCA']);
    const sds = await c.next(TYPE_URL.secret, 5000).catch(() => undefined);
    expect(sds?.resources ?? []).toEqual([]);
    const [entry] = await json<{ inconsistencies: unknown[]; types: Record<string, { sync: string }> }[]>(`/debug/syncz?proxy=${encodeURIComponent(HTTPBIN_NODE.id)}`);
    expect(entry!.inconsistencies).toEqual([]);
    const dump = await json<{ configs: Record<string, { name: string }[]> }>(`/debug/config_dump?proxy=${encodeURIComponent(HTTPBIN_NODE.id)}&types=listeners,secrets`);
    expect(dump.configs['listeners']!.map((l) => l.name)).toContain('virtualInbound');
    expect(dump.configs['secrets']).toEqual([]);
    c.close();
  });

  it('PeerAuthentication DISABLE: a connected client in another namespace is pushed the workload endpoints as tlsMode disabled', async () => {
    const c = client();
    const names = [BAR_CLUSTER, FOO_CLUSTER];
    // What the client holds: a SotW EDS push carries only the changed ClusterLoadAssignments (EDS is not a full state).
    const held = new Map<string, Record<string, unknown>>();
    const modes = (r: Decoded) => {
      for (const e of r.resources) held.set(String(e['clusterName']), e);
      const mode = (name: string) => JSON.stringify(held.get(name)).match(/"tlsMode":\{"stringValue":"(\w+)"/)?.[1];
      return { bar: mode(BAR_CLUSTER), foo: mode(FOO_CLUSTER) };
    };
    c.request(TYPE_URL.endpoint, names);
    let eds = await c.next(TYPE_URL.endpoint, 10_000);
    c.request(TYPE_URL.endpoint, names, eds);
    expect(modes(eds)).toEqual({ bar: 'istio', foo: 'istio' });
    await store.apply([DISABLE_BAR]);
    for (;;) {
      eds = await c.next(TYPE_URL.endpoint, 10_000);
      c.request(TYPE_URL.endpoint, names, eds);
      if (modes(eds).bar === 'disabled') break;
    }
    expect(modes(eds)).toEqual({ bar: 'disabled', foo: 'istio' });
    // The DISABLE workload itself serves plaintext only, on its port and the passthrough chain.
    const bar = client(BAR_NODE);
    const chains = chainsOf((await fetchAll(bar, TYPE_URL.listener)).find((l) => l['name'] === 'virtualInbound')!);
    expect(chains.map((x) => [x.name, x.filterChainMatch?.['transportProtocol'], x.transportSocket ?? 'none'])).toEqual([
      ['inbound_0.0.0.0_8000', 'raw_buffer', 'none'],
      ['virtualInbound-catchall', 'raw_buffer', 'none'],
    ]);
    c.close();
  });

  it('logs a security warning once per proxy and shows it in /debug/push_status and config_dump', async () => {
    await store.apply([CUSTOM]);
    const has = (ws: unknown) => JSON.stringify(ws).includes('CUSTOM');
    await waitFor(async () => {
      await inboundListener();
      return has((await json<{ warnings: unknown[] }>('/debug/push_status')).warnings);
    }, { timeoutMs: 10_000, what: 'the CUSTOM warning in push_status' });
    const c = client();
    await fetchAll(c, TYPE_URL.listener);
    const dump = await json<{ warnings: string[] }>(`/debug/config_dump?proxy=${encodeURIComponent(HTTPBIN_NODE.id)}&types=listeners`);
    expect(dump.warnings.some((w) => w.includes('CUSTOM') && w.includes('NOT SUPPORTED'))).toBe(true);
    c.close();
    const logged = svc.app.output().split('\n').filter((l) => l.includes('CUSTOM') && l.includes(HTTPBIN_NODE.id));
    expect(logged.length).toBe(1);
  });
});
