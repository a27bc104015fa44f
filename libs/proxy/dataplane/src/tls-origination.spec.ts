import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { Host } from './host';
import type { StaticSecretProvider } from './secrets';
import { FakeConfigSource, freePorts, hcm, listener, request, route, routeConfig, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, SELF, type SimpleResponse, type Upstream } from './testing';
import { selectAlpn } from './tls-downstream';
import { autoMtlsMatches, createTestCa, inboundChains, issueLeaf, meshSecrets, spiffe, tlsModeMetadata, type TestCa, type TestLeaf } from './tls-testing';
import { upstreamTlsFor } from './tls-upstream';
import { parseSubjectAltNames } from './tls-verify';
import { decodeEnvoyResource, type ClusterConfig } from '@sextant/xds-client';

const SERVER_ID = spiffe('default', 'server');
const CLIENT_ID = spiffe('default', 'client');

let ca: TestCa;
let app: Upstream;
let inbound: Dataplane;
let outbound: Dataplane;
let inSecrets: StaticSecretProvider;
let outSecrets: StaticSecretProvider;
let serverLeaf: TestLeaf;
const closers: (() => void)[] = [];
const P = { strict: 0, out: 0, sni: 0, gw: 0, ptcp: 0 };

function hashOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** A TLS server on loopback presenting `leaf`; says its name, then echoes. */
async function tlsServer(name: string, leaf: TestLeaf, extra: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem, ...extra }, (s) => {
    s.on('error', () => undefined);
    s.write(`${name}:`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

async function httpsServer(leaf: TestLeaf, clientCa?: string): Promise<number> {
  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, (req, res) => {
    const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
    res.end(JSON.stringify({ sni: (req.socket as tls.TLSSocket).servername, client: peer?.subjectaltname ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.closeAllConnections());
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

function upstreamTls(common: object, sni: string): object {
  return { transportSocket: { name: 'envoy.transport_sockets.tls', typedConfig: { '@type': EXTENSION_TYPE_URL.upstreamTlsContext, commonTlsContext: common, sni } } };
}

beforeAll(async () => {
  ca = createTestCa();
  serverLeaf = issueLeaf(ca, { uris: [SERVER_ID] });
  app = await startUpstream('app');
  [P.strict, P.out, P.sni, P.gw, P.ptcp] = (await freePorts(5)) as [number, number, number, number, number];
  inSecrets = meshSecrets(ca, serverLeaf);
  inbound = testDataplane({ self: { ...SELF, serviceAccount: 'server' }, secrets: inSecrets });
  const appRoutes = { inline: routeConfig('inbound', [vhost(['*'], [route('/', { cluster: 'inbound|app' })])]) };
  // A gateway-style SIMPLE TLS server: certificate from an SDS secret Pilot sends (kubernetes://<credentialName>), SNI required.
  const gwLeaf = issueLeaf(ca, { dns: ['gw.example.com'] });
  const gwSocket = { name: 'envoy.transport_sockets.tls', typedConfig: { '@type': EXTENSION_TYPE_URL.downstreamTlsContext, commonTlsContext: { alpnProtocols: ['h2', 'http/1.1'], tlsCertificateSdsSecretConfigs: [{ name: 'kubernetes://gw-cert', sdsConfig: { ads: {} } }] }, requireSni: { value: true } } };
  await inbound.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('inbound|app', [app.port]))
      .set('secret', { name: 'kubernetes://gw-cert', tlsCertificate: { certificateChain: { inlineString: gwLeaf.certPem }, privateKey: { inlineString: gwLeaf.keyPem } } })
      .set(
        'listener',
        listener('strict', P.strict, inboundChains(P.strict, 'STRICT', [hcm(appRoutes)], 'http')),
        listener('gw', P.gw, [{ filterChainMatch: { serverNames: ['gw.example.com'] }, transportSocket: gwSocket, filters: [hcm(appRoutes)] }], { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }] }),
      )
      .snapshot(),
  );

  const apiLeaf = issueLeaf(ca, { dns: ['api.example.com'] });
  const simplePort = await httpsServer(apiLeaf);
  const mutualPort = await httpsServer(apiLeaf, ca.certPem);
  const expiredPort = await httpsServer(issueLeaf(ca, { dns: ['api.example.com'], notBefore: new Date(Date.now() - 7_200_000), notAfter: new Date(Date.now() - 3_600_000) }));
  const dir = mkdtempSync(join(tmpdir(), 'sextant-tls-'));
  const clientFileLeaf = issueLeaf(ca, { uris: [spiffe('egress', 'files')] });
  writeFileSync(join(dir, 'cert.pem'), clientFileLeaf.certPem);
  writeFileSync(join(dir, 'key.pem'), clientFileLeaf.keyPem);
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  const aPort = await tlsServer('a', issueLeaf(ca, { dns: ['a.example.com'] }));
  const bPort = await tlsServer('b', issueLeaf(ca, { dns: ['b.example.com'] }));

  outSecrets = meshSecrets(ca, issueLeaf(ca, { uris: [CLIENT_ID] }));
  outbound = testDataplane({ self: { ...SELF, serviceAccount: 'client' }, secrets: outSecrets });
  const strictCluster = staticCluster('strict', [P.strict], { transportSocketMatches: autoMtlsMatches('outbound_.80_._.strict.default.svc.cluster.local', [SERVER_ID], true) }) as { loadAssignment: { endpoints: { lbEndpoints: object[] }[] } };
  Object.assign(strictCluster.loadAssignment.endpoints[0]!.lbEndpoints[0]!, tlsModeMetadata('istio'));
  await outbound.apply(
    new FakeConfigSource()
      .set(
        'cluster',
        strictCluster,
        staticCluster('simple', [simplePort], upstreamTls({ validationContext: { trustedCa: { inlineString: ca.certPem } } }, 'api.example.com')),
        staticCluster('simple-wrong-sni', [simplePort], upstreamTls({ validationContext: { trustedCa: { inlineString: ca.certPem } } }, 'wrong.example.com')),
        staticCluster('simple-system-roots', [simplePort], upstreamTls({}, 'api.example.com')),
        staticCluster('mutual-files', [mutualPort], upstreamTls({ tlsCertificates: [{ certificateChain: { filename: join(dir, 'cert.pem') }, privateKey: { filename: join(dir, 'key.pem') } }], validationContext: { trustedCa: { filename: join(dir, 'ca.pem') }, matchSubjectAltNames: [{ exact: 'api.example.com' }] } }, 'api.example.com')),
        staticCluster('expired', [expiredPort], upstreamTls({ validationContext: { trustedCa: { inlineString: ca.certPem } } }, 'api.example.com')),
        staticCluster('expired-allowed', [expiredPort], upstreamTls({ validationContext: { trustedCa: { inlineString: ca.certPem }, allowExpiredCertificate: true } }, 'api.example.com')),
        staticCluster('expired-allowed-wrong-name', [expiredPort], upstreamTls({ validationContext: { trustedCa: { inlineString: ca.certPem }, allowExpiredCertificate: true } }, 'other.example.com')),
        staticCluster('sni-a', [aPort]),
        staticCluster('sni-b', [bPort]),
      )
      .set('route', routeConfig('out', [vhost(['*'], ['strict', 'simple-wrong-sni', 'simple-system-roots', 'simple', 'mutual-files', 'expired-allowed-wrong-name', 'expired-allowed', 'expired'].map((c) => route(`/${c}`, { cluster: c })))]))
      .set(
        'listener',
        listener('out', P.out, [{ filters: [hcm({ rds: 'out' })] }]),
        listener('permissive-tcp', P.ptcp, inboundChains(P.ptcp, 'PERMISSIVE', [tcpProxy('sni-a')], 'tcp'), { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }] }),
        listener('sni', P.sni, [{ filterChainMatch: { serverNames: ['a.example.com'] }, filters: [tcpProxy('sni-a')] }, { filterChainMatch: { serverNames: ['*.example.com'] }, filters: [tcpProxy('sni-b')] }], { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }] }),
      )
      .snapshot(),
  );
}, 30_000);

afterAll(async () => {
  outbound?.close();
  inbound?.close();
  for (const c of closers) c();
  await app?.close();
});

const xfccHash = (r: SimpleResponse) => /Hash=([0-9a-f]+)/.exec(r.json<{ headers: Record<string, string> }>().headers['x-forwarded-client-cert'] ?? '')?.[1];

describe('secret rotation', () => {
  it('rotating both workload certificates mid-traffic fails no request; new connections use the new ones', async () => {
    const newClient = issueLeaf(ca, { uris: [CLIENT_ID] });
    const newServer = issueLeaf(ca, { uris: [SERVER_ID] });
    let ok = 0;
    const failures: string[] = [];
    const hashes = new Set<string>();
    const one = async () => {
      try {
        const r = await request(P.out, '/strict');
        if (r.status === 200) {
          ok++;
          hashes.add(xfccHash(r) ?? '');
        } else failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    };
    const stop = Date.now() + 1_200;
    const worker = async () => {
      while (Date.now() < stop) await one();
    };
    const rotate = new Promise<void>((r) =>
      setTimeout(() => {
        outSecrets.set('default', { kind: 'tlsCertificate', certChainPem: newClient.certPem + ca.certPem, privateKeyPem: newClient.keyPem });
        inSecrets.set('default', { kind: 'tlsCertificate', certChainPem: newServer.certPem + ca.certPem, privateKeyPem: newServer.keyPem });
        r();
      }, 400),
    );
    await Promise.all([worker(), worker(), worker(), rotate]);
    // More requests at once than pooled connections: new upstream connections are made with the new certificate.
    await Promise.all(Array.from({ length: 12 }, one));
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(12);
    expect(hashes.has(hashOf(newClient.certPem))).toBe(true);
    // The inbound side serves its new certificate to new connections.
    const served = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: P.strict, ca: ca.certPem, cert: newClient.certPem, key: newClient.keyPem, checkServerIdentity: () => undefined }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.destroy();
      });
      s.on('error', reject);
    });
    expect(served).toBe(new X509Certificate(newServer.certPem).fingerprint256);
  });
});

describe('origination to external hosts (DestinationRule SIMPLE / MUTUAL)', () => {
  it('SIMPLE with an inline trusted CA verifies the server name from the SNI', async () => {
    const r = await request(P.out, '/simple');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ sni: 'api.example.com', client: null });
    expect((await request(P.out, '/simple-wrong-sni')).status).toBe(503);
  });

  it('without a validation context the system roots apply: a private CA is not trusted', async () => {
    expect((await request(P.out, '/simple-system-roots')).status).toBe(503);
  });

  it('an expired server certificate is refused unless allow_expired_certificate (which still checks the name)', async () => {
    expect((await request(P.out, '/expired')).status).toBe(503);
    expect((await request(P.out, '/expired-allowed')).status).toBe(200);
    expect((await request(P.out, '/expired-allowed-wrong-name')).status).toBe(503);
  });

  it('MUTUAL with certificate, key and CA from files', async () => {
    const r = await request(P.out, '/mutual-files');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ sni: 'api.example.com', client: `URI:${spiffe('egress', 'files')}` });
  });
});

describe('TLS termination with a secret from SDS (gateway SIMPLE)', () => {
  const get = (servername: string | undefined) =>
    new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
      const req = https.request({ host: '127.0.0.1', port: P.gw, path: '/', ca: ca.certPem, headers: { host: 'gw.example.com', 'x-forwarded-client-cert': 'URI=spiffe://forged' }, agent: false, ...(servername ? { servername } : { servername: '', checkServerIdentity: () => undefined }) }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      req.end();
    });

  it('serves the SDS certificate to clients naming the host; no client certificate: no XFCC; no SNI: closed', async () => {
    const r = await get('gw.example.com');
    if (!('status' in r)) throw new Error(r.error);
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { headers: Record<string, string> }).headers['x-forwarded-client-cert']).toBeUndefined();
    expect('error' in (await get(undefined))).toBe(true);
  });

  it('negotiates h2 by ALPN with HTTP/2 clients', async () => {
    const session = http2.connect(`https://127.0.0.1:${P.gw}`, { servername: 'gw.example.com', ca: ca.certPem });
    session.on('error', () => undefined);
    const status = await new Promise<number | string>((resolve) => {
      const req = session.request({ ':path': '/', ':authority': 'gw.example.com' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', (e) => resolve(e.message));
      req.end();
    });
    expect((session.socket as tls.TLSSocket).alpnProtocol).toBe('h2');
    session.close();
    expect(status).toBe(200);
  });

  it('HTTP/2 with prior knowledge over TLS without ALPN', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: P.gw, servername: 'gw.example.com', ca: ca.certPem });
    const session = http2.connect('https://gw.example.com', { createConnection: () => sock });
    session.on('error', () => undefined);
    const status = await new Promise<number | string>((resolve) => {
      const req = session.request({ ':path': '/' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', (e) => resolve(e.message));
      req.end();
    });
    session.close();
    expect(sock.alpnProtocol).toBe(false);
    expect(status).toBe(200);
  });
});

describe('TLS passthrough by SNI (tcp_proxy chains without a transport socket)', () => {
  const probe = (servername: string) =>
    new Promise<{ data: string; san?: string; error?: string }>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: P.sni, servername, ca: ca.certPem });
      let data = '';
      let san: string | undefined;
      s.on('secureConnect', () => {
        san = s.getPeerCertificate().subjectaltname;
        s.write('hello');
      });
      s.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.endsWith('hello')) s.end();
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve({ data, error: e.code ?? e.message }));
      s.on('close', () => resolve({ data, ...(san ? { san } : {}) }));
    });

  it("PERMISSIVE TCP ports pass the application's own TLS (no mesh ALPN) through to it", async () => {
    const r = await new Promise<{ data: string; san?: string }>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: P.ptcp, servername: 'a.example.com', ca: ca.certPem });
      let data = '';
      let san: string | undefined;
      s.on('secureConnect', () => {
        san = s.getPeerCertificate().subjectaltname;
        s.write('hello');
      });
      s.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.endsWith('hello')) s.end();
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve({ data, ...(san ? { san } : {}) }));
    });
    expect(r).toEqual({ data: 'a:hello', san: 'DNS:a.example.com' });
  });

  it('routes by exact and wildcard server names; the client sees the backend certificate; unknown names are closed', async () => {
    expect(await probe('a.example.com')).toEqual({ data: 'a:hello', san: 'DNS:a.example.com' });
    expect(await probe('b.example.com')).toEqual({ data: 'b:hello', san: 'DNS:b.example.com' });
    expect((await probe('other.org')).data).toBe('');
  });
});

describe('pure helpers', () => {
  it('selects the server-preferred ALPN the client offers; none is not an error', () => {
    expect(selectAlpn(['h2', 'http/1.1'], ['istio-http/1.1', 'http/1.1', 'h2'])).toBe('h2');
    expect(selectAlpn(['istio-peer-exchange', 'h2', 'http/1.1'], ['istio-peer-exchange', 'istio'])).toBe('istio-peer-exchange');
    expect(selectAlpn(['h2'], ['istio'])).toBeUndefined();
  });

  it('parses node subject alt names, quoted ones included', () => {
    expect(parseSubjectAltNames('DNS:a.example.com, URI:spiffe://td/ns/a/sa/b, IP Address:10.0.0.1, email:x@y, URI:"spiffe://td/ns/a, b"')).toEqual([
      { type: 'DNS', value: 'a.example.com' },
      { type: 'URI', value: 'spiffe://td/ns/a/sa/b' },
      { type: 'IP_ADDRESS', value: '10.0.0.1' },
      { type: 'EMAIL', value: 'x@y' },
      { type: 'URI', value: 'spiffe://td/ns/a, b' },
    ]);
  });

  it('picks the transport socket match by endpoint metadata, plaintext when unlabelled', () => {
    const d = decodeEnvoyResource('cluster', staticCluster('c', [1], { transportSocketMatches: autoMtlsMatches('sni', [SERVER_ID], true) })).result;
    if (!d.valid) throw new Error(d.errors.join());
    const c = d.value as ClusterConfig;
    expect(upstreamTlsFor(c, new Host('10.0.0.1', 80, { socketMatch: { tlsMode: 'istio' } }))?.sni).toBe('sni');
    expect(upstreamTlsFor(c, new Host('10.0.0.1', 80, { socketMatch: { tlsMode: 'disabled' } }))).toBeUndefined();
    expect(upstreamTlsFor(c, new Host('10.0.0.1', 80))).toBeUndefined();
  });
});
