import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { statEntries } from './proxy-stats';
import { FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, request, route, routeConfig, startTcpEcho, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, SELF, type Upstream } from './testing';
import { autoMtlsMatches, createTestCa, inboundChains, issueLeaf, meshSecrets, spiffe, tlsModeMetadata, type TestCa, type TestLeaf } from './tls-testing';
import type { StaticSecretProvider } from './secrets';

const SERVER_ID = spiffe('default', 'server');
const CLIENT_ID = spiffe('default', 'client');
const H2 = { typedExtensionProtocolOptions: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } } };

let ca: TestCa;
let otherCa: TestCa;
let serverLeaf: TestLeaf;
let clientLeaf: TestLeaf;
let app: Upstream;
let tcpApp: { port: number; close(): Promise<void> };
let inbound: Dataplane;
let outbound: Dataplane;
let inSecrets: StaticSecretProvider;
let outSecrets: StaticSecretProvider;
let foreignRequests = 0;
let foreignServer: tls.Server;
let P: { strict: number; permissive: number; strictTcp: number; permissiveTcp: number; out: number; outTcp: number };

function hashOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** An outbound cluster to an inbound port, auto mTLS (endpoint labelled tlsMode=istio unless plaintext). */
function meshCluster(name: string, port: number, opts: { sa?: string[]; mode?: 'istio' | 'disabled'; http?: boolean; extra?: object } = {}): object {
  const sni = `outbound_.${port}_._.${name}.default.svc.cluster.local`;
  const c = staticCluster(name, [port], { transportSocketMatches: autoMtlsMatches(sni, opts.sa ?? [SERVER_ID], opts.http ?? true), ...opts.extra }) as { loadAssignment: { endpoints: { lbEndpoints: object[] }[] } };
  const ep = c.loadAssignment.endpoints[0]!.lbEndpoints[0]!;
  Object.assign(ep, tlsModeMetadata(opts.mode ?? 'istio'));
  return c;
}

beforeAll(async () => {
  ca = createTestCa();
  otherCa = createTestCa('Other CA');
  serverLeaf = issueLeaf(ca, { uris: [SERVER_ID] });
  clientLeaf = issueLeaf(ca, { uris: [CLIENT_ID] });
  app = await startUpstream('app');
  tcpApp = await startTcpEcho('tcp-app');
  const [strict, permissive, strictTcp, permissiveTcp, out, outTcp] = (await freePorts(6)) as [number, number, number, number, number, number];
  P = { strict, permissive, strictTcp, permissiveTcp, out, outTcp };

  inSecrets = meshSecrets(ca, serverLeaf);
  inbound = testDataplane({ self: { ...SELF, serviceAccount: 'server' }, secrets: inSecrets });
  const appRoutes = { inline: routeConfig('inbound', [vhost(['*'], [route('/', { cluster: 'inbound|app' })])]) };
  await inbound.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('inbound|app', [app.port]), staticCluster('inbound|tcp', [tcpApp.port]))
      .set(
        'listener',
        listener('strict', strict, inboundChains(strict, 'STRICT', [hcm(appRoutes)], 'http'), { trafficDirection: 'INBOUND' }),
        listener('permissive', permissive, inboundChains(permissive, 'PERMISSIVE', [hcm(appRoutes)], 'http'), { trafficDirection: 'INBOUND' }),
        listener('strict-tcp', strictTcp, inboundChains(strictTcp, 'STRICT', [tcpProxy('inbound|tcp')], 'tcp'), { trafficDirection: 'INBOUND' }),
        listener('permissive-tcp', permissiveTcp, inboundChains(permissiveTcp, 'PERMISSIVE', [tcpProxy('inbound|tcp')], 'tcp'), { trafficDirection: 'INBOUND' }),
      )
      .snapshot(),
  );

  const foreignLeaf = issueLeaf(otherCa, { uris: [SERVER_ID] });
  foreignServer = tls.createServer({ cert: foreignLeaf.certPem, key: foreignLeaf.keyPem }, (s) => {
    s.on('error', () => undefined);
    s.once('data', () => foreignRequests++);
  });
  await new Promise<void>((r) => foreignServer.listen(0, '127.0.0.1', r));
  const foreignPort = (foreignServer.address() as net.AddressInfo).port;

  outSecrets = meshSecrets(ca, clientLeaf);
  outbound = testDataplane({ self: { ...SELF, serviceAccount: 'client' }, secrets: outSecrets });
  await outbound.apply(
    new FakeConfigSource()
      .set(
        'cluster',
        meshCluster('strict', strict),
        meshCluster('strict-h2', strict, { extra: H2 }),
        meshCluster('permissive', permissive),
        meshCluster('plain', permissive, { mode: 'disabled' }),
        meshCluster('wrong-san', strict, { sa: [spiffe('default', 'someone-else')] }),
        meshCluster('strict-tcp', strictTcp, { http: false }),
        meshCluster('foreign', foreignPort),
      )
      .set(
        'route',
        routeConfig('out', [
          vhost(['*'], [route('/strict-h2', { cluster: 'strict-h2' }), route('/strict', { cluster: 'strict' }), route('/permissive', { cluster: 'permissive' }), route('/plain', { cluster: 'plain' }), route('/wrong-san', { cluster: 'wrong-san' }), route('/foreign', { cluster: 'foreign' })]),
        ]),
      )
      .set('listener', listener('out', out, [{ filters: [hcm({ rds: 'out' })] }]), listener('out-tcp', outTcp, [{ filters: [tcpProxy('strict-tcp')] }]))
      .snapshot(),
  );
}, 30_000);

afterAll(async () => {
  outbound?.close();
  inbound?.close();
  await app?.close();
  await tcpApp?.close();
  foreignServer?.close();
});

/** A TLS client straight to an inbound port; resolves what happened to the connection. */
function tlsProbe(port: number, opts: tls.ConnectionOptions): Promise<{ ok: boolean; data: string; error?: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'outbound_.80_._.x.default.svc.cluster.local', ALPNProtocols: ['istio-http/1.1', 'http/1.1'], ca: ca.certPem, checkServerIdentity: () => undefined, ...opts });
    let data = '';
    let error: string | undefined;
    s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nhost: app\r\nconnection: close\r\n\r\n'));
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => resolve({ ok: data.startsWith('HTTP/1.1 200'), data, ...(error ? { error } : {}) }));
    setTimeout(() => s.destroy(), 3_000);
  });
}

function plainProbe(port: number, payload: string): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(payload));
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ data, closed: true }));
    setTimeout(() => {
      s.destroy();
      resolve({ data, closed: false });
    }, 2_000);
  });
}

describe('mesh mTLS between two proxies configured by decoded Envoy config', () => {
  it('HTTP/1.1 over mTLS to a STRICT port: the app sees XFCC with both identities, a client-supplied XFCC is replaced', async () => {
    const r = await request(P.out, '/strict', { headers: { 'x-forwarded-client-cert': 'By=spiffe://evil;URI=spiffe://cluster.local/ns/default/sa/admin' } });
    expect(r.status).toBe(200);
    const seen = r.json<{ headers: Record<string, string> }>().headers;
    expect(seen['x-forwarded-client-cert']).toBe(`By=${SERVER_ID};Hash=${hashOf(clientLeaf.certPem)};URI=${CLIENT_ID}`);
    // The outbound proxy set x-forwarded-proto (http, what its client spoke); it travels on unchanged.
    expect(seen['x-forwarded-proto']).toBe('http');
  });

  it('HTTP/2 cluster over mTLS (ALPN h2)', async () => {
    const r = await request(P.out, '/strict-h2');
    expect(r.status).toBe(200);
    expect(r.json<{ headers: Record<string, string> }>().headers['x-forwarded-client-cert']).toContain(`URI=${CLIENT_ID}`);
  });

  it('TCP over mTLS to a STRICT TCP port', async () => {
    const r = await new Promise<string>((resolve) => {
      const s = net.connect(P.outTcp, '127.0.0.1', () => s.write('ping'));
      let data = '';
      s.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.includes('ping')) s.end();
      });
      s.on('close', () => resolve(data));
    });
    expect(r).toBe('tcp-app:ping');
  });

  it('PERMISSIVE accepts mTLS (with XFCC) and plaintext (client XFCC removed)', async () => {
    const viaMtls = await request(P.out, '/permissive');
    expect(viaMtls.json<{ headers: Record<string, string> }>().headers['x-forwarded-client-cert']).toContain(`URI=${CLIENT_ID}`);
    const viaPlain = await request(P.out, '/plain', { headers: { 'x-forwarded-client-cert': 'URI=spiffe://forged' } });
    expect(viaPlain.status).toBe(200);
    expect(viaPlain.json<{ headers: Record<string, string> }>().headers['x-forwarded-client-cert']).toBeUndefined();
    const direct = await request(P.permissive, '/', { headers: { 'x-forwarded-client-cert': 'URI=spiffe://forged' } });
    expect(direct.status).toBe(200);
    expect(direct.json<{ headers: Record<string, string> }>().headers['x-forwarded-client-cert']).toBeUndefined();
    const tcpPlain = await plainProbe(P.permissiveTcp, 'hello');
    expect(tcpPlain.data).toBe('tcp-app:hello');
  });

  it('plaintext to a STRICT port is closed', async () => {
    const http = await plainProbe(P.strict, 'GET / HTTP/1.1\r\nhost: app\r\n\r\n');
    expect(http).toEqual({ data: '', closed: true });
    const tcp = await plainProbe(P.strictTcp, 'hello');
    expect(tcp).toEqual({ data: '', closed: true });
  });

  it('refuses clients without a certificate, from another CA, expired, or outside the trust domain', async () => {
    const good = await tlsProbe(P.strict, { cert: clientLeaf.certPem, key: clientLeaf.keyPem });
    expect(good.ok).toBe(true);
    expect(good.data).toContain(`URI=${CLIENT_ID}`);
    expect(good.data).toContain('"x-forwarded-proto":"https"');
    expect((await tlsProbe(P.strict, {})).ok).toBe(false);
    const foreign = issueLeaf(otherCa, { uris: [CLIENT_ID] });
    expect((await tlsProbe(P.strict, { cert: foreign.certPem, key: foreign.keyPem })).ok).toBe(false);
    const expired = issueLeaf(ca, { uris: [CLIENT_ID], notBefore: new Date(Date.now() - 7_200_000), notAfter: new Date(Date.now() - 3_600_000) });
    expect((await tlsProbe(P.strict, { cert: expired.certPem, key: expired.keyPem })).ok).toBe(false);
    const before = { ...inbound.tls.stats };
    const alien = issueLeaf(ca, { uris: ['spiffe://other.domain/ns/default/sa/client'] });
    expect((await tlsProbe(P.strict, { cert: alien.certPem, key: alien.keyPem })).ok).toBe(false);
    expect(inbound.tls.stats.downstream_fail_verify_san).toBe(before.downstream_fail_verify_san + 1);
    expect((await tlsProbe(P.strict, {})).ok).toBe(false);
    expect(inbound.tls.stats.downstream_fail_verify_no_cert).toBe(before.downstream_fail_verify_no_cert + 1);
    expect(inbound.tls.stats.downstream_handshake).toBeGreaterThan(0);
    const stats = new Map(statEntries(inbound));
    expect(stats.get('ssl.downstream_fail_verify_no_cert')).toBe(inbound.tls.stats.downstream_fail_verify_no_cert);
  });

  it('the client refuses a server whose identity is not the expected one, or whose chain is not trusted', async () => {
    const r = await request(P.out, '/wrong-san');
    expect(r.status).toBe(503);
    expect(outbound.active().clusters.get('wrong-san')!.stats.upstream_cx_connect_fail).toBeGreaterThan(0);
    // A server presenting the expected identity from another CA: not trusted, no request reaches it.
    const foreign = await request(P.out, '/foreign');
    expect(foreign.status).toBe(503);
    expect(outbound.active().clusters.get('foreign')!.stats.upstream_cx_connect_fail).toBeGreaterThan(0);
    expect(foreignRequests).toBe(0);
  });
});
