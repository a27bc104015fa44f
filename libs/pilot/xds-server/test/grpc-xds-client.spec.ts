// A real proxyless gRPC client (@grpc/grpc-js-xds) resolves xds:/// targets
// against resources served by our ADS server and makes real calls.
import { createRequire } from 'node:module';
import { TYPE_URL } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionStatus, endpointPush, fullPush } from '../src/index';
import { callEcho, echoClient, type EchoClient, startEchoServer } from './support/echo-server';
import { ECHO, type Harness, MutableSource, apiListener, cla, edsCluster, routeConfig, snapshot, startAds } from './support/fixtures';

const require = createRequire(import.meta.url);
const INLINE = 'echo-inline.default.svc.cluster.local:7070';
const OTHER = 'other.default.svc.cluster.local:7070';
const NODE_ID = 'sidecar~127.0.0.1~echo-client-7d9f.default~default.svc.cluster.local';

let h: Harness;
let source: MutableSource;
const servers: { port: number; stop(): void }[] = [];
const clients: EchoClient[] = [];
/** Resources in each EDS response sent. */
const edsPushed: number[] = [];

/** The echo service at `port`; a second service (`other`) at `otherPort` (the first echo server unless given). */
function config(port: number, lbPolicy = 'ROUND_ROBIN', otherPort = servers[0]!.port) {
  return snapshot({
    listeners: [apiListener(ECHO.listener, ECHO.route), apiListener(INLINE, routeConfig('inline', [ECHO.cluster])), apiListener(OTHER, 'other')],
    routes: [routeConfig(ECHO.route, [ECHO.cluster], [ECHO.listener, ECHO.host]), routeConfig('other', ['other'], [OTHER])],
    clusters: [edsCluster(ECHO.cluster, lbPolicy), edsCluster('other')],
    endpoints: [cla(ECHO.cluster, [{ host: '127.0.0.1', port }]), cla('other', [{ host: '127.0.0.1', port: otherPort }])],
  });
}

const connection = (): ConnectionStatus | undefined => h.ads.statusOf(NODE_ID)[0];
const typeStatus = (typeUrl: string) => connection()?.types.find((t) => t.typeUrl === typeUrl);

beforeAll(async () => {
  servers.push(await startEchoServer('echo-1'), await startEchoServer('echo-2'));
  source = new MutableSource(config(servers[0]!.port));
  h = await startAds(source, { controlPlaneId: 'sextant-test', metrics: { pushed: (typeUrl, p) => typeUrl === TYPE_URL.endpoint && edsPushed.push(p.resources) } });
  // Test wiring only: grpc-js-xds reads its bootstrap from the environment.
  process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${h.port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: NODE_ID, cluster: 'echo-client', metadata: { NAMESPACE: 'default', LABELS: { app: 'echo-client' } }, locality: { zone: 'a' } },
  });
  (require('@grpc/grpc-js-xds') as { register(): void }).register();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await h?.stop();
  for (const s of servers) s.stop();
});

function client(target: string): EchoClient {
  const c = echoClient(target);
  clients.push(c);
  return c;
}

describe('proxyless gRPC (grpc-js-xds) against the ADS server', () => {
  it('resolves xds:///echo.default.svc.cluster.local:7070 through LDS, RDS, CDS and EDS and calls the server', async () => {
    const c = client(`xds:///${ECHO.listener}`);
    const reply = await callEcho(c, 'hello');
    expect(reply).toEqual({ message: 'hello', server: 'echo-1' });
    await waitFor(() => [TYPE_URL.listener, TYPE_URL.route, TYPE_URL.cluster, TYPE_URL.endpoint].every((t) => typeStatus(t)?.state === 'acked'), {
      timeoutMs: 5000,
      what: 'all four types ACKed',
    });
    const conn = connection()!;
    expect(conn.protocol).toBe('sotw');
    expect(conn.proxy).toMatchObject({ type: 'sidecar', namespace: 'default', podName: 'echo-client-7d9f', metadata: { LABELS: { app: 'echo-client' } } });
    expect(conn.proxy!.userAgent).toMatch(/^gRPC Node/);
    expect(typeStatus(TYPE_URL.listener)!.subscribed).toContain(ECHO.listener);
    expect(typeStatus(TYPE_URL.cluster)).toMatchObject({ wildcard: false, subscribed: [ECHO.cluster] });
  });

  it('resolves a listener with an inline route configuration', async () => {
    const reply = await callEcho(client(`xds:///${INLINE}`), 'inline');
    expect(reply.server).toBe('echo-1');
  });

  it('follows an endpoint-only push', async () => {
    const c = client(`xds:///${ECHO.listener}`);
    await callEcho(c, 'warm');
    source.snapshot = config(servers[1]!.port);
    h.ads.push(endpointPush('endpoints moved', { clusters: [ECHO.cluster] }));
    await waitFor(async () => (await callEcho(c, 'moved')).server === 'echo-2', { timeoutMs: 5000, intervalMs: 50, what: 'calls to reach echo-2' });
  });

  it('NACKs an invalid Cluster: the error shows in status and the client keeps its previous config', async () => {
    const c = client(`xds:///${ECHO.listener}`);
    const before = await callEcho(c, 'before');
    const ackedVersion = typeStatus(TYPE_URL.cluster)!.versionAcked;
    source.snapshot = config(servers[1]!.port, 'MAGLEV');
    h.ads.push(fullPush('bad lb policy'));
    await waitFor(() => typeStatus(TYPE_URL.cluster)?.state === 'nacked', { timeoutMs: 5000, what: 'CDS NACK' });
    const cds = typeStatus(TYPE_URL.cluster)!;
    expect(cds.lastNack!.message).toMatch(/lb_policy.*MAGLEV/);
    expect(cds.lastNack!.clientVersion).toBe(ackedVersion);
    expect(cds.lastNack!.version).toBe(cds.versionSent);
    expect(cds.lastNack!.names).toEqual([ECHO.cluster]);
    // Still working on the last good config.
    expect(await callEcho(c, 'after')).toEqual({ message: 'after', server: before.server });
    // A fixed snapshot is accepted again.
    source.snapshot = config(servers[1]!.port);
    h.ads.push(fullPush('fixed'));
    await waitFor(() => typeStatus(TYPE_URL.cluster)?.state === 'acked', { timeoutMs: 5000, what: 'CDS ACK after fix' });
    expect(await callEcho(c, 'fixed')).toMatchObject({ server: 'echo-2' });
  });

  // Last: it subscribes the client to a second cluster.
  it('keeps the endpoints a partial EDS push leaves out (EDS is not a full state in SotW)', async () => {
    source.snapshot = config(servers[0]!.port);
    h.ads.push(fullPush('both on echo-1'));
    const echo = client(`xds:///${ECHO.listener}`);
    const other = client(`xds:///${OTHER}`);
    await waitFor(async () => (await callEcho(echo, 'e')).server === 'echo-1', { timeoutMs: 5000, intervalMs: 50, what: 'echo on echo-1' });
    expect(await callEcho(other, 'o')).toMatchObject({ server: 'echo-1' });
    await waitFor(() => typeStatus(TYPE_URL.endpoint)?.state === 'acked' && typeStatus(TYPE_URL.endpoint)!.resources === 2, { timeoutMs: 5000, what: 'both CLAs ACKed' });
    const versionBefore = typeStatus(TYPE_URL.endpoint)!.versionAcked;
    edsPushed.length = 0;
    // Only echo's endpoints move: the push carries its ClusterLoadAssignment alone.
    source.snapshot = config(servers[1]!.port);
    h.ads.push(endpointPush('echo moved', { clusters: [ECHO.cluster] }));
    await waitFor(async () => (await callEcho(echo, 'moved')).server === 'echo-2', { timeoutMs: 5000, intervalMs: 50, what: 'echo to reach echo-2' });
    await waitFor(() => typeStatus(TYPE_URL.endpoint)?.state === 'acked' && typeStatus(TYPE_URL.endpoint)!.versionAcked !== versionBefore, { timeoutMs: 5000, what: 'partial EDS ACKed' });
    expect(edsPushed).toEqual([1]);
    // `other` kept its endpoints: existing and new channels still reach echo-1.
    expect(await callEcho(other, 'still')).toMatchObject({ server: 'echo-1' });
    expect(await callEcho(client(`xds:///${OTHER}`), 'new channel')).toMatchObject({ server: 'echo-1' });
  });
});
