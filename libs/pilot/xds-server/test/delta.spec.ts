// Incremental (delta) ADS, checked with a raw client against a real gRPC server.
import { TYPE_URL } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointPush, fullPush } from '../src/index';
import { DeltaClient, deltaVersions } from './support/ads-client';
import { ECHO, type Harness, MutableSource, cla, edsCluster, echoSnapshot, node, routeConfig, snapshot, startAds } from './support/fixtures';

const { cluster: CDS, endpoint: EDS, route: RDS } = TYPE_URL;

let h: Harness | undefined;
const clients: DeltaClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h?.stop();
  h = undefined;
});

async function setup(source: MutableSource, options = {}) {
  h = await startAds(source, options);
  const connect = () => {
    const c = new DeltaClient(h!.port, node());
    clients.push(c);
    return c;
  };
  return { source, ads: h.ads, connect };
}

const clusters = (...names: string[]) =>
  snapshot({ clusters: names.map((n) => edsCluster(n)), endpoints: names.map((n) => cla(n, [{ host: '10.0.0.1', port: 80 }])) });

describe('delta: wildcard and changes', () => {
  it('answers a legacy wildcard request with everything, then sends only what changed, and removals after updates', async () => {
    // No EDS subscription here: a short warm timeout lets the push finish without one.
    const { source, ads, connect } = await setup(new MutableSource(clusters('a', 'b')), { clusterWarmTimeoutMs: 50 });
    const c = connect();
    c.send({ typeUrl: CDS });
    const r1 = await c.next();
    expect(Object.keys(deltaVersions(r1)).sort()).toEqual(['a', 'b']);
    expect(r1.systemVersionInfo).not.toBe('');
    expect(r1.removedResources).toEqual([]);
    c.ack(r1);
    await waitFor(() => ads.status()[0]?.types[0]?.state === 'acked', { timeoutMs: 2000, intervalMs: 10 });
    expect(ads.status()[0]!.types[0]).toMatchObject({ wildcard: true, versionAcked: r1.systemVersionInfo, nonceAcked: r1.nonce });
    // b changes, c appears, a goes away.
    source.snapshot = snapshot({ clusters: [{ ...edsCluster('b'), connectTimeout: { seconds: 4 } }, edsCluster('c')], endpoints: [cla('b', []), cla('c', [])] });
    ads.push(fullPush('change'));
    const r2 = await c.next();
    expect(Object.keys(deltaVersions(r2)).sort()).toEqual(['b', 'c']);
    expect(deltaVersions(r2)['b']).not.toBe(deltaVersions(r1)['b']);
    expect(r2.removedResources).toEqual([]);
    const r3 = await c.next();
    expect(r3.resources).toEqual([]);
    expect(r3.removedResources).toEqual(['a']);
    expect(r3.nonce).not.toBe(r2.nonce);
    c.ack(r2);
    c.ack(r3);
    // Nothing changed: nothing sent.
    ads.push(fullPush('same'));
    await c.none();
  });

  it('records a NACK and does not re-send the rejected version; a newer one goes out', async () => {
    const { source, ads, connect } = await setup(new MutableSource(clusters('a')));
    const c = connect();
    c.send({ typeUrl: CDS, resourceNamesSubscribe: ['*'] });
    c.ack(await c.next());
    source.snapshot = snapshot({ clusters: [edsCluster('a', 'MAGLEV')], endpoints: [cla('a', [])] });
    ads.push(fullPush('bad'));
    const bad = await c.next();
    c.nack(bad, 'unsupported lb_policy: MAGLEV');
    await waitFor(() => ads.status()[0]!.types[0]!.state === 'nacked', { timeoutMs: 2000, intervalMs: 10 });
    expect(ads.status()[0]!.types[0]!.lastNack).toMatchObject({ nonce: bad.nonce, version: bad.systemVersionInfo, names: ['a'], message: 'unsupported lb_policy: MAGLEV' });
    ads.push(fullPush('again'));
    await c.none();
    source.snapshot = clusters('a');
    ads.push(fullPush('fixed'));
    const fixed = await c.next();
    expect(Object.keys(deltaVersions(fixed))).toEqual(['a']);
  });
});

describe('delta: explicit subscriptions', () => {
  it('sends subscribed names, says which do not exist, sends them when they appear, and honours unsubscribe', async () => {
    const { source, ads, connect } = await setup(new MutableSource(clusters('a', 'b')));
    const c = connect();
    c.send({ typeUrl: EDS, resourceNamesSubscribe: ['a', 'ghost'] });
    const r1 = await c.next();
    expect(Object.keys(deltaVersions(r1))).toEqual(['a']);
    expect(r1.removedResources).toEqual(['ghost']);
    c.ack(r1);
    c.send({ typeUrl: EDS, resourceNamesUnsubscribe: ['a'] });
    await c.none();
    source.snapshot = snapshot({
      clusters: [edsCluster('a'), edsCluster('ghost')],
      endpoints: [cla('a', [{ host: '10.9.9.9', port: 1 }]), cla('ghost', [])],
    });
    ads.push(endpointPush('ghost appears'));
    const r2 = await c.next();
    expect(Object.keys(deltaVersions(r2))).toEqual(['ghost']); // a is unsubscribed: not sent
    c.ack(r2);
    await c.none();
  });

  it('honours subscription changes on a request with a stale nonce', async () => {
    const { source, ads, connect } = await setup(new MutableSource(clusters('a', 'b')));
    const c = connect();
    c.send({ typeUrl: EDS, resourceNamesSubscribe: ['a'] });
    const r1 = await c.next();
    source.snapshot = snapshot({ clusters: [edsCluster('a'), edsCluster('b')], endpoints: [cla('a', []), cla('b', [])] });
    ads.push(endpointPush('moved'));
    const r2 = await c.next();
    expect(r2.nonce).not.toBe(r1.nonce);
    c.send({ typeUrl: EDS, responseNonce: r1.nonce, resourceNamesSubscribe: ['b'] });
    const r3 = await c.next();
    expect(Object.keys(deltaVersions(r3))).toEqual(['b']);
  });

  it('re-sends an explicitly subscribed name the client seems to have', async () => {
    const { connect } = await setup(new MutableSource(clusters('a')));
    const c = connect();
    c.send({ typeUrl: EDS, resourceNamesSubscribe: ['a'] });
    const r1 = await c.next();
    c.ack(r1);
    c.send({ typeUrl: EDS, resourceNamesSubscribe: ['a'] });
    const r2 = await c.next();
    expect(deltaVersions(r2)).toEqual(deltaVersions(r1));
  });

  it('answers an unsubscribe of a name also covered by "*" with the resource or its removal', async () => {
    const { connect } = await setup(new MutableSource(clusters('a')));
    const c = connect();
    c.send({ typeUrl: CDS, resourceNamesSubscribe: ['*', 'a', 'zzz'] });
    const r1 = await c.next();
    expect(Object.keys(deltaVersions(r1))).toEqual(['a']);
    expect(r1.removedResources).toEqual(['zzz']);
    c.ack(r1);
    c.send({ typeUrl: CDS, resourceNamesUnsubscribe: ['a', 'zzz'] });
    const r2 = await c.next();
    expect(Object.keys(deltaVersions(r2))).toEqual(['a']); // still covered by the wildcard
    expect(r2.removedResources).toEqual(['zzz']);
  });
});

describe('delta: reconnect', () => {
  it('uses initial_resource_versions: unchanged resources are not re-sent, changed ones are, gone ones are removed', async () => {
    const { source, ads, connect } = await setup(new MutableSource(clusters('a', 'b', 'c')));
    const c1 = connect();
    c1.send({ typeUrl: CDS, resourceNamesSubscribe: ['*'] });
    const r1 = await c1.next();
    const had = deltaVersions(r1);
    c1.close();
    await waitFor(() => ads.connectedCount === 0, { timeoutMs: 2000 });
    source.snapshot = snapshot({ clusters: [edsCluster('a'), { ...edsCluster('b'), connectTimeout: { seconds: 3 } }], endpoints: [cla('a', []), cla('b', [])] });
    const c2 = connect();
    c2.send({ typeUrl: CDS, resourceNamesSubscribe: ['*'], initialResourceVersions: had });
    const r2 = await c2.next();
    expect(Object.keys(deltaVersions(r2))).toEqual(['b']);
    expect(r2.removedResources).toEqual(['c']);
    // Explicit names known at their current version are not re-sent either.
    const probe = connect();
    probe.send({ typeUrl: EDS, resourceNamesSubscribe: ['a'] });
    const current = deltaVersions(await probe.next());
    const c3 = connect();
    c3.send({ typeUrl: EDS, resourceNamesSubscribe: ['a'], initialResourceVersions: current });
    const r3 = await c3.next();
    expect(r3.resources).toEqual([]);
    expect(r3.removedResources).toEqual([]);
  });
});

describe('delta: push order', () => {
  it('pushes CDS, then endpoints for new clusters once asked, then RDS, then removals', async () => {
    const { source, ads, connect } = await setup(new MutableSource(echoSnapshot(9000)));
    const c = connect();
    c.send({ typeUrl: CDS, resourceNamesSubscribe: ['*'] });
    c.ack(await c.next());
    c.send({ typeUrl: EDS, resourceNamesSubscribe: [ECHO.cluster] });
    c.ack(await c.next());
    c.send({ typeUrl: RDS, resourceNamesSubscribe: [ECHO.route] });
    c.ack(await c.next());
    await c.none();
    source.snapshot = echoSnapshot(9000, { routes: [routeConfig(ECHO.route, ['v2'])], clusters: [edsCluster('v2')], endpoints: [cla('v2', [])] });
    ads.push(fullPush('move'));
    const cds = await c.next();
    expect(cds.typeUrl).toBe(CDS);
    expect(Object.keys(deltaVersions(cds))).toEqual(['v2']);
    expect(cds.removedResources).toEqual([]);
    await c.none();
    c.send({ typeUrl: EDS, responseNonce: cds.nonce, resourceNamesSubscribe: ['v2'] });
    const eds = await c.next();
    expect([eds.typeUrl, Object.keys(deltaVersions(eds))]).toEqual([EDS, ['v2']]);
    expect(eds.removedResources).toEqual([]); // the old endpoints stay until the routes have moved
    const rds = await c.next();
    expect(rds.typeUrl).toBe(RDS);
    const removal = await c.next();
    expect([removal.typeUrl, removal.removedResources]).toEqual([CDS, [ECHO.cluster]]);
    const edsRemoval = await c.next();
    expect([edsRemoval.typeUrl, edsRemoval.removedResources]).toEqual([EDS, [ECHO.cluster]]);
  });
});
