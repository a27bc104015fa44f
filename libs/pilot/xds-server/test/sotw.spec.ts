// State-of-the-world ADS, checked with a raw client against a real gRPC server.
import * as grpc from '@grpc/grpc-js';
import type { Cluster__Output, DiscoveryResponse__Output } from '@sextant/proto';
import { TYPE_URL } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { afterEach, describe, expect, it } from 'vitest';
import { type XdsMetrics, endpointPush, fullPush } from '../src/index';
import { SotwClient, decoded, namesIn } from './support/ads-client';
import { ECHO, type Harness, MutableSource, apiListener, cla, edsCluster, echoSnapshot, node, routeConfig, snapshot, startAds } from './support/fixtures';

const { cluster: CDS, endpoint: EDS, listener: LDS, route: RDS } = TYPE_URL;

let h: Harness | undefined;
const clients: SotwClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h?.stop();
  h = undefined;
});

async function setup(source = new MutableSource(echoSnapshot(9000)), options = {}) {
  h = await startAds(source, options);
  const connect = (id?: string) => {
    const c = new SotwClient(h!.port, node(id));
    clients.push(c);
    return c;
  };
  return { source, ads: h.ads, connect };
}

const acked = (ads: Harness['ads'], typeUrl: string) =>
  waitFor(() => ads.status()[0]?.types.find((t) => t.typeUrl === typeUrl)?.state === 'acked', { timeoutMs: 2000, intervalMs: 10 });

const twoClusters = () =>
  snapshot({
    clusters: [edsCluster('a'), edsCluster('b')],
    endpoints: [cla('a', [{ host: '10.0.0.1', port: 80 }]), cla('b', [{ host: '10.0.0.2', port: 80 }])],
  });

describe('SotW: versions, nonces, ACK', () => {
  it('answers the first request with version and nonce; an ACK gets no response and is recorded', async () => {
    const { ads, connect } = await setup();
    const c = connect();
    const res = await c.request(CDS);
    expect(res.typeUrl).toBe(CDS);
    expect(res.versionInfo).not.toBe('');
    expect(res.nonce).not.toBe('');
    expect(namesIn(res)).toEqual([ECHO.cluster]);
    c.ack(res);
    await c.none();
    const [conn] = ads.status();
    expect(conn!.proxy).toMatchObject({ type: 'sidecar', namespace: 'default', podName: 'echo-client-1', ipAddresses: ['10.0.0.1'] });
    const cds = conn!.types.find((t) => t.typeUrl === CDS)!;
    expect(cds).toMatchObject({ state: 'acked', versionSent: res.versionInfo, nonceSent: res.nonce, versionAcked: res.versionInfo, nonceAcked: res.nonce, wildcard: true });
  });

  it('gives every response its own nonce, and a new version only when content changes', async () => {
    const { source, ads, connect } = await setup(new MutableSource(twoClusters()));
    const c = connect();
    const first = await c.request(CDS);
    c.ack(first);
    const nonces = new Set([first.nonce]);
    const versions = new Set([first.versionInfo]);
    for (let i = 0; i < 3; i++) {
      source.snapshot = snapshot({ clusters: [edsCluster('a'), { ...edsCluster('b'), connectTimeout: { seconds: i + 2 } }], endpoints: [cla('a', []), cla('b', [])] });
      ads.push(fullPush('test'));
      const res = await c.next();
      c.ack(res);
      nonces.add(res.nonce);
      versions.add(res.versionInfo);
    }
    expect(nonces.size).toBe(4);
    expect(versions.size).toBe(4);
    // Same snapshot again: nothing to send.
    ads.push(fullPush('no change'));
    await c.none();
  });

  it('ignores requests carrying a stale nonce (no response, no subscription change)', async () => {
    const { source, ads, connect } = await setup(new MutableSource(twoClusters()));
    const c = connect();
    const r1 = await c.request(EDS, ['a']);
    source.snapshot = snapshot({ clusters: [edsCluster('a'), edsCluster('b')], endpoints: [cla('a', [{ host: '10.0.0.9', port: 80 }]), cla('b', [])] });
    ads.push(endpointPush('endpoints moved'));
    const r2 = await c.next();
    expect(r2.nonce).not.toBe(r1.nonce);
    // The client answers r1 late, asking for b as well: stale, ignored.
    c.ack(r1, ['a', 'b']);
    await c.none();
    expect(ads.status()[0]!.types.find((t) => t.typeUrl === EDS)!.subscribed).toEqual(['a']);
    // With the latest nonce the new name is honoured.
    c.ack(r2, ['a', 'b']);
    const r3 = await c.next();
    expect(namesIn(r3)).toEqual(['a', 'b']);
  });
});

describe('SotW: NACK', () => {
  it('records error_detail per type with version, nonce and names, and never re-sends the rejected config', async () => {
    const nacks: string[] = [];
    const metrics: XdsMetrics = { nacked: (t, _p, m) => nacks.push(`${t}:${m}`) };
    const { source, ads, connect } = await setup(new MutableSource(twoClusters()), { metrics });
    const c = connect();
    const good = await c.request(CDS);
    c.ack(good);
    await acked(ads, CDS);
    source.snapshot = snapshot({ clusters: [edsCluster('a', 'MAGLEV'), edsCluster('b')], endpoints: [cla('a', []), cla('b', [])] });
    ads.push(fullPush('bad lb policy'));
    const bad = await c.next();
    c.nack(bad, good.versionInfo, 'unsupported lb_policy: MAGLEV');
    await c.none();
    const cds = ads.status()[0]!.types.find((t) => t.typeUrl === CDS)!;
    expect(cds.state).toBe('nacked');
    expect(cds.versionAcked).toBe(good.versionInfo);
    expect(cds.lastNack).toMatchObject({ version: bad.versionInfo, nonce: bad.nonce, clientVersion: good.versionInfo, message: 'unsupported lb_policy: MAGLEV', names: ['a', 'b'] });
    expect(nacks).toEqual([`${CDS}:unsupported lb_policy: MAGLEV`]);
    // The same (rejected) snapshot is not sent again, however often Pilot pushes.
    ads.push(fullPush('again'));
    ads.push(fullPush('and again'));
    await c.none(400);
    // A newer snapshot is.
    source.snapshot = twoClusters();
    ads.push(fullPush('fixed'));
    const fixed = await c.next();
    expect(fixed.versionInfo).toBe(good.versionInfo);
    expect(fixed.nonce).not.toBe(good.nonce);
    c.ack(fixed);
    await acked(ads, CDS);
  });
});

describe('SotW: what a response holds', () => {
  it('LDS and CDS carry the full set; EDS and RDS only the requested names', async () => {
    const { source, ads, connect } = await setup(new MutableSource(twoClusters()));
    const c = connect();
    const cds = await c.request(CDS);
    expect(namesIn(cds)).toEqual(['a', 'b']);
    c.ack(cds);
    const eds = await c.request(EDS, ['a']);
    expect(namesIn(eds)).toEqual(['a']);
    c.ack(eds, ['a']);
    // Only b changes: CDS still carries a and b; EDS (subscribed to a) has nothing new.
    source.snapshot = snapshot({ clusters: [edsCluster('a'), { ...edsCluster('b'), connectTimeout: { seconds: 9 } }], endpoints: [cla('a', [{ host: '10.0.0.1', port: 80 }]), cla('b', [])] });
    ads.push(fullPush('b changed'));
    const cds2 = await c.next();
    expect(cds2.typeUrl).toBe(CDS);
    expect(namesIn(cds2)).toEqual(['a', 'b']);
    c.ack(cds2);
    await c.none();
  });

  it('pushes names requested before they exist once they appear', async () => {
    const { source, ads, connect } = await setup(new MutableSource(twoClusters()));
    const c = connect();
    const r1 = await c.request(RDS, ['later']);
    expect(r1.resources).toEqual([]);
    c.ack(r1, ['later']);
    await c.none();
    source.snapshot = snapshot({ ...{ clusters: [edsCluster('a')], endpoints: [cla('a', [])] }, routes: [routeConfig('later', ['a'])] });
    ads.push(fullPush('route added'));
    const r2 = await c.next();
    expect(namesIn(r2)).toEqual(['later']);
  });

  it('follows the wildcard rules: legacy empty names, "*" plus names, then explicit names only', async () => {
    const { source, ads, connect } = await setup(new MutableSource(twoClusters()));
    const c = connect();
    const r1 = await c.request(CDS, []);
    expect(namesIn(r1)).toEqual(['a', 'b']);
    c.ack(r1, ['*', 'a']); // still wildcard, plus a: newly requested names are (re)sent
    const r1b = await c.next();
    expect(namesIn(r1b)).toEqual(['a', 'b']);
    c.ack(r1b, ['a']); // wildcard dropped: nothing added, nothing sent
    await c.none();
    source.snapshot = snapshot({ clusters: [edsCluster('a'), { ...edsCluster('b'), connectTimeout: { seconds: 5 } }, edsCluster('c')], endpoints: [cla('a', []), cla('b', []), cla('c', [])] });
    ads.push(fullPush('more clusters'));
    const r2 = await c.next();
    expect(namesIn(r2)).toEqual(['a']);
    c.ack(r2, []); // empty after explicit names: unsubscribed from everything, not a wildcard
    await c.none();
    const t = ads.status()[0]!.types.find((x) => x.typeUrl === CDS)!;
    expect(t).toMatchObject({ wildcard: false, subscribed: [] });
  });
});

describe('SotW: pushes', () => {
  it('orders a push CDS, EDS, LDS, RDS; routes wait for new clusters\' endpoints; stale clusters go last', async () => {
    const { source, ads, connect } = await setup(new MutableSource(echoSnapshot(9000)));
    const c = connect();
    const last = new Map<string, DiscoveryResponse__Output>();
    for (const [type, names] of [[CDS, []], [EDS, [ECHO.cluster]], [LDS, [ECHO.listener]], [RDS, [ECHO.route]]] as const) {
      const r = await c.request(type, [...names]);
      c.ack(r, [...names]);
      last.set(type, r);
    }
    await c.none();
    // v2: the route moves to a new cluster; the old cluster goes away.
    source.snapshot = echoSnapshot(9000, {
      routes: [routeConfig(ECHO.route, ['v2'])],
      clusters: [edsCluster('v2')],
      endpoints: [cla('v2', [{ host: '127.0.0.1', port: 9001 }])],
      listeners: [{ ...apiListener(ECHO.listener, ECHO.route), statPrefix: 'changed' } as never],
    });
    ads.push(fullPush('move'));
    const cds1 = await c.next();
    expect(cds1.typeUrl).toBe(CDS);
    expect(namesIn(cds1)).toEqual([ECHO.cluster, 'v2']); // the old cluster is still there
    // Nothing else until the client asks for the new cluster's endpoints (as Envoy does after CDS).
    await c.none();
    expect(ads.status()[0]!.queue.waitingForEndpoints).toEqual(['v2']);
    c.ack(cds1);
    c.ack(last.get(EDS)!, [ECHO.cluster, 'v2']);
    const eds = await c.next();
    expect(eds.typeUrl).toBe(EDS);
    expect(namesIn(eds)).toEqual([ECHO.cluster, 'v2']); // old endpoints kept while the old cluster lives
    const rest = [await c.next(), await c.next(), await c.next()].map((r) => `${r.typeUrl}:${namesIn(r)}`);
    expect(rest).toEqual([`${LDS}:${ECHO.listener}`, `${RDS}:${ECHO.route}`, `${CDS}:v2`]);
    expect(ads.status()[0]!.queue.waitingForEndpoints).toBeUndefined();
  });

  it('re-sends unchanged endpoints after a cluster update (Envoy warms on a new EDS response)', async () => {
    const { source, ads, connect } = await setup(new MutableSource(echoSnapshot(9000)));
    const c = connect();
    const cds = await c.request(CDS);
    c.ack(cds);
    const eds = await c.request(EDS, [ECHO.cluster]);
    c.ack(eds, [ECHO.cluster]);
    await c.none();
    source.snapshot = echoSnapshot(9000, { clusters: [{ ...edsCluster(ECHO.cluster), connectTimeout: { seconds: 7 } }] });
    ads.push(fullPush('cluster settings'));
    expect((await c.next()).typeUrl).toBe(CDS);
    const again = await c.next();
    expect(again.typeUrl).toBe(EDS);
    expect(again.versionInfo).toBe(eds.versionInfo);
    expect(again.nonce).not.toBe(eds.nonce);
  });

  it('sends the rest of a push after clusterWarmTimeoutMs when the client never asks for new endpoints', async () => {
    const { source, ads, connect } = await setup(new MutableSource(echoSnapshot(9000)), { clusterWarmTimeoutMs: 300 });
    const c = connect();
    for (const [type, names] of [[CDS, []], [RDS, [ECHO.route]]] as const) c.ack(await c.request(type, [...names]), [...names]);
    await c.none();
    source.snapshot = echoSnapshot(9000, { routes: [routeConfig(ECHO.route, ['v2'])], clusters: [edsCluster(ECHO.cluster), edsCluster('v2')], endpoints: [cla(ECHO.cluster, []), cla('v2', [])] });
    ads.push(fullPush('new cluster'));
    expect((await c.next()).typeUrl).toBe(CDS);
    const rds = await c.next(1000);
    expect(rds.typeUrl).toBe(RDS);
  });

  it('sends only EDS for an endpoint-only push, and the generator is asked for EDS only', async () => {
    const { source, ads, connect } = await setup(new MutableSource(echoSnapshot(9000)));
    const c = connect();
    const cds = await c.request(CDS);
    c.ack(cds);
    const eds = await c.request(EDS, [ECHO.cluster]);
    c.ack(eds, [ECHO.cluster]);
    source.snapshot = echoSnapshot(9001);
    source.calls = [];
    ads.push(endpointPush('pod moved', { clusters: [ECHO.cluster] }));
    const r = await c.next();
    expect(r.typeUrl).toBe(EDS);
    expect(source.calls.map((x) => x.changedTypes)).toEqual([[EDS]]);
    await c.none();
  });

  it('drops an inconsistent resource alone and reports it', async () => {
    const inconsistent: string[] = [];
    const snap = echoSnapshot(9000, {
      routes: [routeConfig(ECHO.route, [ECHO.cluster]), routeConfig('broken', ['no-such-cluster'])],
      clusters: [edsCluster(ECHO.cluster), edsCluster('no-endpoints')],
    });
    const { ads, connect } = await setup(new MutableSource(snap), { metrics: { inconsistent: (e: { name: string }) => inconsistent.push(e.name) } });
    const c = connect();
    const cds = await c.request(CDS);
    expect(namesIn(cds)).toEqual([ECHO.cluster]);
    c.ack(cds);
    const rds = await c.request(RDS, [ECHO.route, 'broken']);
    expect(namesIn(rds)).toEqual([ECHO.route]);
    expect(decoded<Cluster__Output>(cds, ECHO.cluster)!.type).toBe('EDS');
    const errors = ads.status()[0]!.inconsistencies;
    expect(errors.map((e) => `${e.name}: ${e.reason}`).sort()).toEqual([
      'broken: refers to clusters not in the snapshot: no-such-cluster',
      'no-endpoints: EDS cluster without a ClusterLoadAssignment: no-endpoints',
    ]);
    expect(inconsistent.sort()).toEqual(['broken', 'no-endpoints']);
  });
});

describe('SotW: shared output', () => {
  it('never copies or re-encodes a shared resource per proxy', async () => {
    let reads = 0;
    const shared = edsCluster('a');
    Object.defineProperty(shared, 'connectTimeout', {
      enumerable: true,
      get: () => {
        reads++;
        return { seconds: 1 };
      },
    });
    const source = new MutableSource(snapshot({ clusters: [shared], endpoints: [cla('a', [])] }));
    const readsAfterBuild = reads; // versioned() encoded it once, while building the snapshot
    const { connect } = await setup(source);
    const responses = await Promise.all([connect('p1'), connect('p2'), connect('p3')].map((c) => c.request(CDS)));
    expect(responses.map(namesIn)).toEqual([['a'], ['a'], ['a']]);
    expect(reads).toBe(readsAfterBuild);
    expect(new Set(responses.map((r) => r.versionInfo)).size).toBe(1);
  });
});

describe('SotW: streams', () => {
  it('starts a reconnecting client from scratch (new stream, new state); a wildcard client at our version gets nothing', async () => {
    const { ads, connect } = await setup();
    const c1 = connect();
    const cds = await c1.request(CDS);
    c1.ack(cds);
    const eds = await c1.request(EDS, [ECHO.cluster]);
    c1.ack(eds, [ECHO.cluster]);
    c1.close();
    await waitFor(() => ads.connectedCount === 0, { timeoutMs: 2000 });
    const c2 = connect();
    // Full resync: no version known.
    const again = await c2.request(EDS, [ECHO.cluster]);
    expect(namesIn(again)).toEqual([ECHO.cluster]);
    // A wildcard CDS request at the current version: nothing to send.
    c2.send({ typeUrl: CDS, versionInfo: cds.versionInfo, resourceNames: [] });
    await c2.none();
    expect(ads.status()[0]!.types.find((t) => t.typeUrl === CDS)).toMatchObject({ state: 'acked', versionAcked: cds.versionInfo });
    // At an older version: the full set.
    const c3 = connect('plain-grpc-client');
    const full = await c3.request(CDS, [], { versionInfo: 'old' });
    expect(namesIn(full)).toEqual([ECHO.cluster]);
    expect(ads.statusOf('plain-grpc-client')[0]!.proxy).toMatchObject({ id: 'plain-grpc-client', istio: false });
  });

  it('rejects a stream without a node, or with a malformed Istio id', async () => {
    const { connect } = await setup();
    const c = connect('sidecar~not-an-ip~x.y~y.svc.cluster.local');
    c.send({ typeUrl: CDS });
    const st = await c.ended();
    expect(st.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(st.details).toContain('not an IP address');
  });

  it('reports connections, pushes and convergence (push start to ACK) through the metrics hooks', async () => {
    const events: string[] = [];
    let converged = -1;
    const metrics: XdsMetrics = {
      connections: (n) => events.push(`connections=${n}`),
      pushed: (t) => events.push(`pushed ${t.slice(t.lastIndexOf('.') + 1)}`),
      converged: (_t, ms) => (converged = ms),
    };
    const { source, ads, connect } = await setup(new MutableSource(echoSnapshot(9000)), { metrics });
    const c = connect();
    const eds = await c.request(EDS, [ECHO.cluster]);
    c.ack(eds, [ECHO.cluster]);
    source.snapshot = echoSnapshot(9002);
    ads.push(endpointPush('moved', { start: Date.now() - 50 }));
    c.ack(await c.next(), [ECHO.cluster]);
    await waitFor(() => converged >= 50, { timeoutMs: 2000 });
    c.close();
    await waitFor(() => events.includes('connections=0'), { timeoutMs: 2000 });
    expect(events).toEqual(['connections=1', 'pushed ClusterLoadAssignment', 'pushed ClusterLoadAssignment', 'connections=0']);
  });
});
