// VHDS over a real Delta ADS stream: route configurations without their
// virtual hosts, virtual hosts as resources of their own, one changed host
// sent alone; and clients that did not ask for it get whole route tables.
import { type DeltaDiscoveryResponse__Output, type RouteConfiguration, TYPE_URL, decodeMessage } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { afterEach, describe, expect, it } from 'vitest';
import { fullPush, type Snapshot, splitRoutes } from '../src/index';
import { DeltaClient, SotwClient, decoded, deltaVersions } from './support/ads-client';
import { type Harness, MutableSource, cla, edsCluster, node, snapshot } from './support/fixtures';

const { cluster: CDS, route: RDS, virtualHost: VHDS } = TYPE_URL;
const VHDS_NODE = { ...node(), metadata: { fields: { SEXTANT_VHDS: { stringValue: 'true' } } } };

let h: Harness | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await h?.stop();
  h = undefined;
});

type Host = { name: string; domains: string[]; cluster: string };

function table(name: string, hosts: Host[]): RouteConfiguration {
  return {
    name,
    validateClusters: { value: false },
    virtualHosts: hosts.map((x) => ({ name: x.name, domains: x.domains, routes: [{ match: { prefix: '/' }, route: { cluster: x.cluster } }] })),
  };
}

function mesh(clusters: string[], routes: RouteConfiguration[]): Snapshot {
  return snapshot({ clusters: clusters.map((c) => edsCluster(c)), endpoints: clusters.map((c) => cla(c, [])), routes });
}

const HOSTS: Host[] = [
  { name: 'a.default.svc.cluster.local:80', domains: ['a', 'a.default.svc.cluster.local'], cluster: 'ca' },
  { name: 'b.default.svc.cluster.local:80', domains: ['b', 'b.default.svc.cluster.local'], cluster: 'cb' },
  { name: 'c.default.svc.cluster.local:80', domains: ['c', 'c.default.svc.cluster.local'], cluster: 'ca' },
];

async function start(source: MutableSource, options = {}) {
  h = await (await import('./support/fixtures')).startAds(source, options);
  return h;
}

function deltaClient(port: number, withVhds = true): DeltaClient {
  const c = new DeltaClient(port, withVhds ? VHDS_NODE : node());
  closers.push(() => c.close());
  return c;
}

type Vh = { name: string; domains: string[]; routes: { route: { cluster: string } }[] };
const hostsIn = (r: DeltaDiscoveryResponse__Output) =>
  Object.fromEntries(r.resources.map((x) => [x.name, decodeMessage<Vh>(VHDS, (x.resource as unknown as { value: Buffer }).value)]));

describe('VHDS on a Delta stream', () => {
  it('sends the route table without hosts, every host of its namespace, then only the host that changed or went away', async () => {
    const source = new MutableSource(mesh(['ca', 'cb'], [table('80', HOSTS)]));
    const { port, ads } = await start(source);
    const c = deltaClient(port);
    c.send({ typeUrl: RDS, resourceNamesSubscribe: ['80'] });
    const rds = await c.next();
    const rc = decodeMessage<RouteConfiguration & { vhds?: { configSource?: { ads?: object } } }>(RDS, (rds.resources[0]!.resource as unknown as { value: Buffer }).value);
    expect(rc.name).toBe('80');
    expect(rc.virtualHosts ?? []).toEqual([]);
    expect(rc.vhds?.configSource?.ads).toBeDefined();
    expect(rc.validateClusters?.value).toBe(false); // other fields kept
    c.ack(rds);
    c.send({ typeUrl: VHDS, resourceNamesSubscribe: ['80'] });
    const v1 = await c.next();
    const hosts = hostsIn(v1);
    expect(Object.keys(hosts).sort()).toEqual(HOSTS.map((x) => `80/${x.name}`).sort());
    // The message's name is the resource name (Envoy keys and removes hosts by it).
    expect(hosts['80/a.default.svc.cluster.local:80']).toMatchObject({ name: '80/a.default.svc.cluster.local:80', domains: ['a', 'a.default.svc.cluster.local'] });
    c.ack(v1);

    // b now routes to ca: one host goes out, the route configuration does not.
    source.snapshot = mesh(['ca', 'cb'], [table('80', [HOSTS[0]!, { ...HOSTS[1]!, cluster: 'ca' }, HOSTS[2]!])]);
    ads.push(fullPush('b moved'));
    const v2 = await c.next();
    expect(v2.typeUrl).toBe(VHDS);
    expect(Object.keys(hostsIn(v2))).toEqual(['80/b.default.svc.cluster.local:80']);
    expect(hostsIn(v2)['80/b.default.svc.cluster.local:80']!.routes[0]!.route.cluster).toBe('ca');
    c.ack(v2);
    await c.none();

    // c goes away: removed by its resource name.
    source.snapshot = mesh(['ca', 'cb'], [table('80', [HOSTS[0]!, { ...HOSTS[1]!, cluster: 'ca' }])]);
    ads.push(fullPush('c removed'));
    const v3 = await c.next();
    expect(v3.resources).toEqual([]);
    expect(v3.removedResources).toEqual(['80/c.default.svc.cluster.local:80']);
    c.ack(v3);
    await waitFor(() => ads.status()[0]!.types.every((t) => t.state === 'acked'), { timeoutMs: 2000, intervalMs: 10 });
    expect(ads.status()[0]!.types.find((t) => t.typeUrl === VHDS)).toMatchObject({ subscribed: ['80'], resources: 2 });
  });

  it('drops only a host whose cluster does not exist, and answers a namespace with no hosts', async () => {
    const source = new MutableSource(mesh(['ca'], [table('80', [HOSTS[0]!, HOSTS[1]!]), table('8080', [])]));
    const { port, ads } = await start(source);
    const c = deltaClient(port);
    c.send({ typeUrl: VHDS, resourceNamesSubscribe: ['80'] });
    const v1 = await c.next();
    expect(Object.keys(deltaVersions(v1))).toEqual(['80/a.default.svc.cluster.local:80']);
    const status = ads.status()[0]!;
    expect(status.inconsistencies).toEqual([expect.objectContaining({ typeUrl: VHDS, name: '80/b.default.svc.cluster.local:80', reason: expect.stringContaining('cb') })]);
    c.ack(v1);
    c.send({ typeUrl: VHDS, resourceNamesSubscribe: ['8080'] });
    const v2 = await c.next();
    expect(v2.resources).toEqual([]);
    expect(v2.removedResources).toEqual([]); // a namespace is never "a name that does not exist"
  });

  it('gives whole route tables to Delta clients that did not ask, to SotW clients, and when the server turns it off', async () => {
    const source = new MutableSource(mesh(['ca', 'cb'], [table('80', HOSTS)]));
    const { port } = await start(source);
    const plain = deltaClient(port, false);
    plain.send({ typeUrl: RDS, resourceNamesSubscribe: ['80'] });
    const r1 = await plain.next();
    expect(decodeMessage<RouteConfiguration>(RDS, (r1.resources[0]!.resource as unknown as { value: Buffer }).value).virtualHosts).toHaveLength(3);
    const sotw = new SotwClient(port, VHDS_NODE);
    closers.push(() => sotw.close());
    sotw.send({ typeUrl: RDS, resourceNames: ['80'] });
    expect(decoded<RouteConfiguration>(await sotw.next(), '80')!.virtualHosts).toHaveLength(3);
    await h!.stop();
    h = undefined;
    const off = await start(source, { vhds: false });
    const c = deltaClient(off.port);
    c.send({ typeUrl: RDS, resourceNamesSubscribe: ['80'] });
    const r2 = await c.next();
    expect(decodeMessage<RouteConfiguration>(RDS, (r2.resources[0]!.resource as unknown as { value: Buffer }).value).virtualHosts).toHaveLength(3);
  });

  it('keeps every client exactly in sync through a run of random changes (shared diffs, held-back removals)', async () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const randomMesh = () => {
      const clusters = ['c0', 'c1', 'c2', 'c3', 'c4'].filter(() => rand(4) > 0);
      if (clusters.length === 0) clusters.push('c0');
      const hosts: Host[] = [];
      for (let i = 0; i < 12; i++) if (rand(3) > 0) hosts.push({ name: `h${i}:80`, domains: [`h${i}`], cluster: clusters[rand(clusters.length)]! });
      return mesh(clusters, [table('80', hosts)]);
    };
    const source = new MutableSource(randomMesh());
    const { port, ads } = await start(source, { clusterWarmTimeoutMs: 100 });
    const held = [deltaClient(port), deltaClient(port)].map((c) => ({ c, state: new Map<string, Map<string, string>>() }));
    const apply = (state: Map<string, Map<string, string>>, r: DeltaDiscoveryResponse__Output) => {
      const m = state.get(r.typeUrl) ?? new Map<string, string>();
      for (const x of r.resources) m.set(x.name, x.version);
      for (const n of r.removedResources) m.delete(n);
      state.set(r.typeUrl, m);
    };
    const drain = async (x: (typeof held)[number]) => {
      for (;;) {
        const r = await x.c.next(400).catch(() => undefined);
        if (!r) return;
        apply(x.state, r);
        x.c.ack(r);
      }
    };
    for (const x of held) {
      x.c.send({ typeUrl: CDS, resourceNamesSubscribe: ['*'] });
      x.c.send({ typeUrl: VHDS, resourceNamesSubscribe: ['80'] });
    }
    for (let round = 0; round < 12; round++) {
      await Promise.all(held.map(drain));
      const conn = ads.status()[0]!;
      expect(conn.inconsistencies).toEqual([]); // every random host points at an existing cluster
      for (const x of held) {
        const clusters = [...(source.snapshot.get(CDS)?.keys() ?? [])].sort();
        expect([...(x.state.get(CDS)?.keys() ?? [])].sort()).toEqual(clusters);
        const hosts = Object.fromEntries([...splitRoutes(source.snapshot.get(RDS)!).hosts].map(([n, e]) => [n, e.version]));
        expect(Object.fromEntries(x.state.get(VHDS) ?? []), `round ${round}`).toEqual(hosts);
      }
      source.snapshot = randomMesh();
      ads.push(fullPush(`round ${round}`));
    }
  });
});
