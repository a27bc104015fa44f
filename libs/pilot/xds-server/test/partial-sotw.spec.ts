// SotW pushes of non-full-state types (EDS, RDS) carry only what the client
// lacks; requests, first responses and new streams still get everything.
// Checked with a raw client against a real gRPC server.
import type { ClusterLoadAssignment__Output, DiscoveryResponse__Output } from '@sextant/proto';
import { TYPE_URL } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdsServer, endpointPush, fullPush } from '../src/index';
import { SotwClient, decoded, namesIn } from './support/ads-client';
import { type Harness, MutableSource, apiListener, cla, edsCluster, node, routeConfig, snapshot, startAds } from './support/fixtures';

const { cluster: CDS, endpoint: EDS, listener: LDS, route: RDS } = TYPE_URL;
const NAMES = ['a', 'b', 'c'];

let h: Harness | undefined;
const clients: SotwClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h?.stop();
  h = undefined;
});

/** Clusters a, b, c; `hosts` overrides a cluster's endpoint host, `timeouts` its connect timeout. */
function mesh(hosts: Record<string, string> = {}, timeouts: Record<string, number> = {}, names = NAMES) {
  return snapshot({
    listeners: [apiListener('l1', 'r1'), apiListener('l2', 'r2')],
    routes: [routeConfig('r1', names.slice(0, 1)), routeConfig('r2', names.slice(0, 1))],
    clusters: names.map((n) => ({ ...edsCluster(n), connectTimeout: { seconds: timeouts[n] ?? 1 } })),
    endpoints: names.map((n) => cla(n, [{ host: hosts[n] ?? '10.0.0.1', port: 80 }])),
  });
}

async function setup(source = new MutableSource(mesh())) {
  h = await startAds(source);
  const connect = (id?: string) => {
    const c = new SotwClient(h!.port, node(id));
    clients.push(c);
    return c;
  };
  return { source, ads: h.ads, connect };
}

/** A client that has ACKed CDS (wildcard) and EDS for a, b, c. */
async function synced(connect: (id?: string) => SotwClient, id?: string) {
  const c = connect(id);
  c.ack(await c.request(CDS));
  const eds = await c.request(EDS, NAMES);
  expect(namesIn(eds)).toEqual(NAMES);
  c.ack(eds, NAMES);
  return { c, eds };
}

const host = (res: DiscoveryResponse__Output, name: string) =>
  decoded<ClusterLoadAssignment__Output>(res, name)?.endpoints[0]?.lbEndpoints[0]?.endpoint?.address?.socketAddress?.address;

const edsStatus = (ads: AdsServer) => ads.status()[0]!.types.find((t) => t.typeUrl === EDS)!;

describe('SotW partial pushes', () => {
  it('sends only the changed ClusterLoadAssignment for an endpoint change, with a new version, and records its ACK', async () => {
    const { source, ads, connect } = await setup();
    const { c, eds } = await synced(connect);
    source.snapshot = mesh({ b: '10.0.0.9' });
    ads.push(endpointPush('b moved', { clusters: ['b'] }));
    const r = await c.next();
    expect(r.typeUrl).toBe(EDS);
    expect(namesIn(r)).toEqual(['b']);
    expect(host(r, 'b')).toBe('10.0.0.9');
    expect(r.versionInfo).not.toBe(eds.versionInfo);
    c.ack(r, NAMES);
    await c.none();
    await waitFor(() => edsStatus(ads).state === 'acked', { timeoutMs: 2000, intervalMs: 10 });
    // The client has all three (the response added to what it had).
    expect(edsStatus(ads)).toMatchObject({ resources: 3, versionSent: r.versionInfo, versionAcked: r.versionInfo });
    // Back to the first content: the version is the first one again (it names the whole set).
    source.snapshot = mesh();
    ads.push(endpointPush('b back'));
    const back = await c.next();
    expect(namesIn(back)).toEqual(['b']);
    expect(back.versionInfo).toBe(eds.versionInfo);
  });

  it('gives streams with the same change the same partial response', async () => {
    const { source, ads, connect } = await setup();
    const [one, two] = await Promise.all([synced(connect, 'p1'), synced(connect, 'p2')]);
    source.snapshot = mesh({ c: '10.0.0.7' });
    ads.push(endpointPush('c moved'));
    const [r1, r2] = await Promise.all([one.c.next(), two.c.next()]);
    expect([namesIn(r1), namesIn(r2)]).toEqual([['c'], ['c']]);
    expect(r1.versionInfo).toBe(r2.versionInfo);
    expect(r1.nonce).not.toBe(r2.nonce);
  });

  it('answers a subscription that adds names with everything subscribed', async () => {
    const { source, ads, connect } = await setup(new MutableSource(mesh({}, {}, [...NAMES, 'd'])));
    const { c } = await synced(connect);
    source.snapshot = mesh({ a: '10.0.0.5' }, {}, [...NAMES, 'd']);
    ads.push(endpointPush('a moved'));
    const r = await c.next();
    expect(namesIn(r)).toEqual(['a']);
    c.ack(r, [...NAMES, 'd']);
    const all = await c.next();
    expect(namesIn(all)).toEqual([...NAMES, 'd']);
    expect(host(all, 'a')).toBe('10.0.0.5');
  });

  it('sends everything on a new stream (reconnect), whatever was pushed before', async () => {
    const { source, ads, connect } = await setup();
    const { c } = await synced(connect);
    source.snapshot = mesh({ b: '10.0.0.9' });
    ads.push(endpointPush('b moved'));
    expect(namesIn(await c.next())).toEqual(['b']);
    c.close();
    await waitFor(() => ads.connectedCount === 0, { timeoutMs: 2000 });
    const again = connect();
    const r = await again.request(EDS, NAMES, { versionInfo: 'some-old-version' });
    expect(namesIn(r)).toEqual(NAMES);
    expect(host(r, 'b')).toBe('10.0.0.9');
  });

  it('re-sends the endpoints of an updated cluster (re-warm) along with changed ones, and no others', async () => {
    const { source, ads, connect } = await setup();
    const { c, eds } = await synced(connect);
    source.snapshot = mesh({ b: '10.0.0.9' }, { a: 7 });
    ads.push(fullPush('a settings, b moved'));
    const cds = await c.next();
    expect(cds.typeUrl).toBe(CDS);
    expect(namesIn(cds)).toEqual(NAMES); // CDS stays a full state
    const r = await c.next();
    expect(r.typeUrl).toBe(EDS);
    expect(namesIn(r)).toEqual(['a', 'b']);
    expect(r.versionInfo).not.toBe(eds.versionInfo);
    // Only a cluster update: its unchanged endpoints go out again, at the same version.
    c.ack(cds);
    c.ack(r, NAMES);
    source.snapshot = mesh({ b: '10.0.0.9' }, { a: 7, c: 3 });
    ads.push(fullPush('c settings'));
    expect((await c.next()).typeUrl).toBe(CDS);
    const rewarm = await c.next();
    expect(namesIn(rewarm)).toEqual(['c']);
    expect(rewarm.versionInfo).toBe(r.versionInfo);
  });

  it('leaves cluster removal as it was: CDS drops it, EDS sends nothing; later changes stay partial', async () => {
    const { source, ads, connect } = await setup();
    const { c } = await synced(connect);
    source.snapshot = mesh({}, {}, ['a', 'b']);
    ads.push(fullPush('c removed'));
    const cds = await c.next();
    expect(cds.typeUrl).toBe(CDS);
    expect(namesIn(cds)).toEqual(['a', 'b']);
    c.ack(cds);
    await c.none();
    source.snapshot = mesh({ a: '10.0.0.3' }, {}, ['a', 'b']);
    ads.push(endpointPush('a moved'));
    expect(namesIn(await c.next())).toEqual(['a']);
    // c comes back: its endpoints are new to the client.
    source.snapshot = mesh({ a: '10.0.0.3' });
    ads.push(fullPush('c back'));
    expect(namesIn(await c.next())).toEqual(NAMES);
    const r = await c.next();
    expect(r.typeUrl).toBe(EDS);
    expect(namesIn(r)).toEqual(['c']);
  });

  it('after a NACK the next push carries everything again', async () => {
    const { source, ads, connect } = await setup();
    const { c, eds } = await synced(connect);
    source.snapshot = mesh({ b: '10.0.0.9' });
    ads.push(endpointPush('b moved'));
    const bad = await c.next();
    expect(namesIn(bad)).toEqual(['b']);
    c.nack(bad, eds.versionInfo, 'rejected for the test', NAMES);
    await c.none();
    source.snapshot = mesh({ b: '10.0.0.8' });
    ads.push(endpointPush('b moved again'));
    expect(namesIn(await c.next())).toEqual(NAMES);
  });

  it('pushes only the changed RouteConfiguration; LDS stays a full state', async () => {
    const { source, ads, connect } = await setup();
    const c = connect();
    c.ack(await c.request(CDS));
    c.ack(await c.request(LDS));
    const rds = await c.request(RDS, ['r1', 'r2']);
    expect(namesIn(rds)).toEqual(['r1', 'r2']);
    c.ack(rds, ['r1', 'r2']);
    const next = mesh();
    (next as Map<string, unknown>).set(RDS, snapshot({ routes: [routeConfig('r1', ['a']), routeConfig('r2', ['b'])] }).get(RDS));
    source.snapshot = next;
    ads.push(fullPush('r2 to b'));
    const r = await c.next();
    expect(r.typeUrl).toBe(RDS);
    expect(namesIn(r)).toEqual(['r2']);
    await c.none();
  });
});
