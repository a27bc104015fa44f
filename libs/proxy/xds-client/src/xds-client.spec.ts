import { waitFor } from '@sextant/util';
import { afterEach, describe, expect, it } from 'vitest';
import { cla, edsCluster, httpListener, IDENTITY, routeConfig, routeTo, vhost } from './spec-fixtures';
import { FakeAdsServer } from './testing';
import { XdsClient, type XdsProtocol } from './xds-client';

const C1 = 'outbound|9080||reviews.default.svc.cluster.local';
const C2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';

let server: FakeAdsServer | undefined;
let client: XdsClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.stop();
  client = undefined;
  server = undefined;
});

async function setup(protocol: XdsProtocol, opts: { deltaUnimplemented?: boolean; warmTimeoutMs?: number } = {}) {
  server = new FakeAdsServer({ deltaUnimplemented: opts.deltaUnimplemented ?? false });
  await server.start();
  server.set('cluster', { [C1]: edsCluster(C1) }, { push: false });
  server.set('endpoint', { [C1]: cla(C1, [['127.0.0.1', 9081]]) }, { push: false });
  server.set('listener', { '0.0.0.0_9080': httpListener(9080) }, { push: false });
  server.set('route', { '9080': routeConfig('9080', [vhost('reviews', ['reviews', 'reviews:9080'], [routeTo(C1)])]) }, { push: false });
  client = new XdsClient({ address: server.address, identity: IDENTITY, protocol, warmTimeoutMs: opts.warmTimeoutMs ?? 5_000, backoff: { initialMs: 50, maxMs: 200 } });
  client.start();
  return { server, client };
}

describe.each(['delta', 'sotw'] as const)('XdsClient over %s ADS', (protocol) => {
  it('sends Istio node identity, ACKs, becomes ready and publishes a warm snapshot', async () => {
    const { server, client } = await setup(protocol);
    await client.whenReady();
    const snap = client.snapshot;
    expect([...snap.listeners.keys()]).toEqual(['0.0.0.0_9080']);
    expect(snap.routes.get('9080')?.virtualHosts[0]?.domains).toEqual(['reviews', 'reviews:9080']);
    expect(snap.clusters.get(C1)?.discovery).toBe('EDS');
    expect(snap.endpoints.get(C1)?.localities[0]?.endpoints[0]).toMatchObject({ host: '127.0.0.1', port: 9081, health: 'UNKNOWN', weight: 1 });
    const first = server.requests[0]!.req;
    expect(first.node?.id).toBe('sidecar~127.0.0.9~reviews-v1-0.default~default.svc.cluster.local');
    const md = first.node?.metadata?.fields ?? {};
    expect(md['NAMESPACE']?.stringValue).toBe('default');
    expect(md['SERVICE_ACCOUNT']?.stringValue).toBe('bookinfo-reviews');
    expect(md['LABELS']?.structValue?.fields?.['app']?.stringValue).toBe('reviews');
    expect(server.requests.slice(1).every((r) => !r.req.node)).toBe(true);
    const ack = await waitFor(() => server.lastResponseTo('listener'), { timeoutMs: 2_000, what: 'LDS ACK' });
    expect(ack.req.errorDetail).toBeNull();
    expect(client.status().protocol).toBe(protocol);
  });

  it('subscribes over SDS to the secrets TLS contexts name, except the locally served default and ROOTCA', async () => {
    const { server, client } = await setup(protocol);
    await client.whenReady();
    const tls = {
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: { ads: {} } }], combinedValidationContext: { defaultValidationContext: {}, validationContextSdsSecretConfig: { name: 'kubernetes://cred-cacert', sdsConfig: { ads: {} } } } },
        sni: 'api.example.com',
      },
    };
    server.set('secret', { 'kubernetes://cred-cacert': { name: 'kubernetes://cred-cacert', validationContext: { trustedCa: { inlineString: 'PEM' } } } }, { push: false });
    server.set('cluster', { [C1]: edsCluster(C1, { transportSocket: tls }) });
    const secret = await waitFor(() => client.snapshot.secrets.get('kubernetes://cred-cacert'), { timeoutMs: 3_000, what: 'SDS secret' });
    expect(secret).toMatchObject({ kind: 'validation-context', trustedCa: 'PEM' });
    const asked = server.requestsFor('secret').flatMap((r) => ('resourceNamesSubscribe' in r.req ? r.req.resourceNamesSubscribe : r.req.resourceNames));
    expect(asked).toContain('kubernetes://cred-cacert');
    expect(asked).not.toContain('default');
  });

  it('NACKs a bad resource with its reason and keeps serving the last good config', async () => {
    const { server, client } = await setup(protocol);
    await client.whenReady();
    const goodVersion = client.snapshot.version;
    const acksBefore = client.status().types['rds']!.acks;
    // A regex Envoy's RE2 would refuse, and a route with no cluster.
    server.set('route', { '9080': routeConfig('9080', [vhost('reviews', ['reviews'], [{ match: { safeRegex: { regex: '(?<=x)y' } }, route: { cluster: C1 } }])]) });
    await waitFor(() => client.status().types['rds']!.nacks === 1, { timeoutMs: 5_000, what: 'NACK' });
    const nack = server.lastResponseTo('route')!;
    expect(nack.req.errorDetail?.message).toMatch(/RouteConfiguration\[9080\].*safeRegex.*invalid RE2 regex/);
    expect(nack.req.errorDetail?.code).toBe(3);
    if (nack.protocol === 'sotw') expect(nack.req.versionInfo).not.toBe(String(999));
    expect(client.snapshot.version).toBe(goodVersion);
    expect(client.snapshot.routes.get('9080')?.virtualHosts[0]?.routes[0]?.match.path).toEqual({ kind: 'prefix', value: '/' });
    expect(client.status().types['rds']!.acks).toBe(acksBefore);
    // A good update afterwards is accepted again.
    server.set('route', { '9080': routeConfig('9080', [vhost('reviews', ['reviews'], [routeTo(C1, '/v2')])]) });
    await waitFor(() => client.snapshot.routes.get('9080')?.virtualHosts[0]?.routes[0]?.match.path.kind === 'prefix' && (client.snapshot.routes.get('9080')!.virtualHosts[0]!.routes[0]!.match.path as { value: string }).value === '/v2', {
      timeoutMs: 5_000,
      what: 'good update',
    });
  });

  it('warms a new cluster (CDS then EDS) before a route that uses it goes in', async () => {
    const { server, client } = await setup(protocol);
    await client.whenReady();
    server.set('cluster', { [C2]: edsCluster(C2) }, { push: false });
    server.set('route', { '9080': routeConfig('9080', [vhost('reviews', ['reviews'], [routeTo(C2)])]) }, { push: false });
    server.push('cluster');
    server.push('route');
    // The route waits for C2's endpoints; the old route keeps serving.
    await waitFor(() => client.status().warming.some((w) => w.name === '9080'), { timeoutMs: 5_000, what: 'route warming' });
    expect(client.snapshot.routes.get('9080')?.virtualHosts[0]?.routes[0]?.action).toMatchObject({ cluster: { name: C1 } });
    expect(client.snapshot.clusters.has(C2)).toBe(false);
    server.set('endpoint', { [C2]: cla(C2, [['127.0.0.1', 9082]]) });
    await waitFor(() => client.snapshot.clusters.has(C2) && (client.snapshot.routes.get('9080')?.virtualHosts[0]?.routes[0]?.action as { cluster: { name: string } }).cluster.name === C2, {
      timeoutMs: 5_000,
      what: 'cluster and route active',
    });
    expect(client.snapshot.endpoints.get(C2)?.localities[0]?.endpoints[0]?.port).toBe(9082);
  });

  it('removes clusters Pilot stops sending and unsubscribes their endpoints', async () => {
    const { server, client } = await setup(protocol);
    await client.whenReady();
    server.set('cluster', { [C2]: edsCluster(C2) }, { push: false });
    server.set('endpoint', { [C2]: cla(C2, [['127.0.0.1', 9082]]) }, { push: false });
    server.push('cluster');
    await waitFor(() => client.snapshot.clusters.has(C2), { timeoutMs: 5_000, what: 'C2' });
    server.remove('cluster', [C2]);
    await waitFor(() => !client.snapshot.clusters.has(C2) && !client.snapshot.endpoints.has(C2), { timeoutMs: 5_000, what: 'C2 removed' });
  });

  it('reconnects after the stream drops and keeps its config meanwhile', async () => {
    const { server, client } = await setup(protocol);
    await client.whenReady();
    const before = server.requests.length;
    server.disconnectAll();
    await waitFor(() => server.requests.slice(before).some((r) => r.req.node), { timeoutMs: 5_000, what: 'new stream' });
    expect(client.snapshot.listeners.size).toBe(1);
    expect(client.status().reconnects).toBeGreaterThanOrEqual(1);
    if (protocol === 'delta') {
      const first = server.requests.slice(before).find((r) => r.protocol === 'delta' && r.req.typeUrl.endsWith('Cluster'));
      expect(first && first.protocol === 'delta' && first.req.initialResourceVersions[C1]).toBeTruthy();
    }
  });
});

describe('XdsClient protocol choice', () => {
  it('falls back to SotW when Pilot does not implement delta', async () => {
    const { client } = await setup('auto', { deltaUnimplemented: true });
    await client.whenReady();
    expect(client.status().protocol).toBe('sotw');
    expect(client.snapshot.clusters.has(C1)).toBe(true);
  });

  it('lets a listener in after the warming timeout even when its routes never come', async () => {
    const { server, client } = await setup('delta', { warmTimeoutMs: 300 });
    await client.whenReady();
    server.set('listener', { '0.0.0.0_8080': httpListener(8080, 'missing-route') });
    await waitFor(() => client.snapshot.listeners.has('0.0.0.0_8080'), { timeoutMs: 3_000, what: 'listener after timeout' });
  });
});
