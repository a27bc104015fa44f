// VHDS on the proxy's Delta stream: a route configuration that says `vhds`
// gets its hosts as VirtualHost resources `<route>/<host>`, merged into the
// table the data plane routes with.
import { waitFor } from '@sextant/util';
import { afterEach, describe, expect, it } from 'vitest';
import { configDump } from './config-dump';
import { cla, edsCluster, httpListener, IDENTITY, routeTo, vhost } from './spec-fixtures';
import { FakeAdsServer } from './testing';
import { XdsClient } from './xds-client';

const C1 = 'outbound|9080||reviews.default.svc.cluster.local';
const C2 = 'outbound|9080||ratings.default.svc.cluster.local';
const VHDS_RC = { name: '9080', vhds: { configSource: { ads: {}, resourceApiVersion: 'V3' } } };

let server: FakeAdsServer | undefined;
let client: XdsClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.stop();
  client = undefined;
  server = undefined;
});

async function setup(hosts: Record<string, object>, warmTimeoutMs = 5_000) {
  server = new FakeAdsServer();
  await server.start();
  server.set('cluster', { [C1]: edsCluster(C1), [C2]: edsCluster(C2) }, { push: false });
  server.set('endpoint', { [C1]: cla(C1, [['127.0.0.1', 9081]]), [C2]: cla(C2, [['127.0.0.1', 9082]]) }, { push: false });
  server.set('listener', { '0.0.0.0_9080': httpListener(9080) }, { push: false });
  server.set('route', { '9080': VHDS_RC }, { push: false });
  server.set('vhost', hosts, { push: false });
  client = new XdsClient({ address: server.address, identity: IDENTITY, protocol: 'delta', warmTimeoutMs, backoff: { initialMs: 50, maxMs: 200 } });
  client.start();
  return { server, client };
}

const domainsOf = (c: XdsClient) => (c.snapshot.routes.get('9080')?.virtualHosts ?? []).map((v) => v.domains[0]);

describe('VHDS (Delta ADS)', () => {
  it('announces VHDS, subscribes the route configuration as a namespace, and routes with the hosts merged in', async () => {
    const { server, client } = await setup({ '9080/reviews:9080': vhost('9080/reviews:9080', ['reviews'], [routeTo(C1)]) });
    await client.whenReady();
    await waitFor(() => client.snapshot.routes.get('9080')?.virtualHosts.length === 1, { timeoutMs: 3_000, what: 'route table with its VHDS host' });
    expect(server.requests[0]!.req.node?.metadata?.fields?.['SEXTANT_VHDS']?.stringValue).toBe('true');
    const sub = server.requestsFor('vhost').find((r) => 'resourceNamesSubscribe' in r.req && r.req.resourceNamesSubscribe.length > 0);
    expect(sub && 'resourceNamesSubscribe' in sub.req ? sub.req.resourceNamesSubscribe : []).toEqual(['9080']);
    expect(client.snapshot.routes.get('9080')!.vhds).toBe(true);
    expect(client.status().types['vhds']).toMatchObject({ resources: 1 });
    expect(client.status().types['vhds']!.acks).toBeGreaterThan(0);

    // A second host arrives alone; then the first changes; then one goes away.
    server.set('vhost', { '9080/ratings:9080': vhost('9080/ratings:9080', ['ratings'], [routeTo(C2)]) });
    await waitFor(() => domainsOf(client).join() === 'ratings,reviews', { timeoutMs: 3_000, what: 'second host merged (sorted by name)' });
    const table = client.snapshot.routes.get('9080');
    // /config_dump shows the route table as it routes (hosts merged in), and the host resources in their own section.
    const dump = configDump(client.state);
    const rds = dump.find((d) => d.type === 'rds')!.resources.find((r) => r.name === '9080')!.resource as { virtualHosts: { name: string; domains: string[] }[]; vhds?: unknown };
    expect(rds.vhds).toBeDefined();
    expect(rds.virtualHosts.map((v) => v.name)).toEqual(['9080/ratings:9080', '9080/reviews:9080']);
    expect(dump.find((d) => d.type === 'vhds')!.resources.map((r) => r.name)).toEqual(['9080/ratings:9080', '9080/reviews:9080']);
    server.set('vhost', { '9080/reviews:9080': vhost('9080/reviews:9080', ['reviews', 'reviews.default'], [routeTo(C1)]) });
    await waitFor(() => client.snapshot.routes.get('9080')?.virtualHosts[1]?.domains.length === 2, { timeoutMs: 3_000, what: 'changed host' });
    expect(client.snapshot.routes.get('9080')).not.toBe(table);
    server.remove('vhost', ['9080/ratings:9080']);
    await waitFor(() => domainsOf(client).join() === 'reviews', { timeoutMs: 3_000, what: 'removed host' });
    // An update of the route configuration itself keeps the hosts.
    server.set('route', { '9080': { ...VHDS_RC, ignorePortInHostMatching: true } });
    await waitFor(() => client.snapshot.routes.get('9080')?.ignorePortInHostMatching === true, { timeoutMs: 3_000, what: 'route config update' });
    expect(domainsOf(client)).toEqual(['reviews']);
  });

  it('NACKs a bad host alone, naming it, and keeps the others', async () => {
    const { server, client } = await setup({ '9080/reviews:9080': vhost('9080/reviews:9080', ['reviews'], [routeTo(C1)]) });
    await client.whenReady();
    await waitFor(() => client.snapshot.routes.get('9080')?.virtualHosts.length === 1, { timeoutMs: 3_000, what: 'first host' });
    server.set('vhost', {
      '9080/bad:9080': vhost('9080/bad:9080', ['bad'], [{ match: { safeRegex: { regex: '(?<=x)y' } }, route: { cluster: C1 } }]),
      '9080/ratings:9080': vhost('9080/ratings:9080', ['ratings'], [routeTo(C2)]),
    });
    await waitFor(() => client.status().types['vhds']!.nacks === 1, { timeoutMs: 3_000, what: 'NACK' });
    const nack = server.lastResponseTo('vhost')!;
    expect(nack.req.errorDetail?.message).toContain('VirtualHost[9080/bad:9080]');
    await waitFor(() => domainsOf(client).join() === 'ratings,reviews', { timeoutMs: 3_000, what: 'good host applied' });
  });

  it('refuses a host that shares a domain with another host of its route configuration, alone, and keeps routing', async () => {
    const { server, client } = await setup({ '9080/reviews:9080': vhost('9080/reviews:9080', ['reviews'], [routeTo(C1)]) });
    await client.whenReady();
    await waitFor(() => client.snapshot.routes.get('9080')?.virtualHosts.length === 1, { timeoutMs: 3_000, what: 'first host' });
    server.set('vhost', {
      '9080/clash:9080': vhost('9080/clash:9080', ['ratings.other', 'REVIEWS'], [routeTo(C2)]),
      '9080/ratings:9080': vhost('9080/ratings:9080', ['ratings'], [routeTo(C2)]),
    });
    await waitFor(() => client.status().types['vhds']!.nacks === 1, { timeoutMs: 3_000, what: 'NACK' });
    const nack = server.lastResponseTo('vhost')!.req.errorDetail?.message ?? '';
    expect(nack).toContain('9080/clash:9080');
    expect(nack).toContain('domain "reviews" is also in virtual host 9080/reviews:9080');
    await waitFor(() => domainsOf(client).join() === 'ratings,reviews', { timeoutMs: 3_000, what: 'the other new host applied' });
    expect(client.snapshot.routes.get('9080')!.virtualHosts.find((v) => v.domains.includes('reviews'))!.routes[0]!.action).toMatchObject({ cluster: { name: C1 } });
    expect(client.state.accepted.vhost.has('9080/clash:9080')).toBe(false);
  });

  it('keeps a host on a heartbeat (a resource without a body), and ACKs it', async () => {
    const { server, client } = await setup({ '9080/reviews:9080': vhost('9080/reviews:9080', ['reviews'], [routeTo(C1)]) });
    await client.whenReady();
    await waitFor(() => client.snapshot.routes.get('9080')?.virtualHosts.length === 1, { timeoutMs: 3_000, what: 'first host' });
    const acks = client.status().types['vhds']!.acks;
    const table = client.snapshot.routes.get('9080');
    server.heartbeat('vhost', ['9080/reviews:9080']);
    await waitFor(() => client.status().types['vhds']!.acks === acks + 1, { timeoutMs: 3_000, what: 'heartbeat ACKed' });
    expect(client.status().types['vhds']!.nacks).toBe(0);
    expect(client.snapshot.routes.get('9080')).toBe(table);
  });

  it('does not put a VHDS route configuration in service before it has a host (until the warm timeout)', async () => {
    const { client } = await setup({}, 2_000);
    // Accepted (and ACKed), but not in service: it has no host yet.
    await waitFor(() => client.state.accepted.route.has('9080'), { timeoutMs: 2_000, intervalMs: 10, what: 'route configuration accepted' });
    expect(client.snapshot.routes.has('9080')).toBe(false);
    expect(client.status().warming).toContainEqual({ type: 'rds', name: '9080' });
    await waitFor(() => client.snapshot.routes.has('9080'), { timeoutMs: 5_000, what: 'route in after the warm timeout' });
  });
});
