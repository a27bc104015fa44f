// xDS over TLS with client authentication, against a real grpc-js server on
// a real TLS port: a proxy with a mesh certificate syncs; no certificate, a
// certificate from another CA, an expired one, or one whose namespace is not
// the node's are refused with the reason, logged and counted; the serving
// certificate rotates on the running server without dropping a stream.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { type DiscoveryRequest, type DiscoveryResponse__Output, TYPE_URL, adsServiceDefinition } from '@sextant/proto';
import { silentLogger, waitFor } from '@sextant/util';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsServer, RotatingServerCredentials, type XdsRefusal, fullPush, tlsAuthorizer } from '../src/index';
import { MutableSource, cla, echoSnapshot, edsCluster, snapshot } from './support/fixtures';

interface Pem {
  certPem: string;
  keyPem: string;
}

function rsa() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { keyPem, key, pub: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function certificate(o: { ca?: Pem; cn?: string; uri?: string; notBefore?: Date; notAfter?: Date }): Pem {
  const { keyPem, key, pub } = rsa();
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 3_600_000);
  if (!o.ca) {
    const attrs = [{ name: 'commonName', value: o.cn ?? 'Test Root' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
    cert.sign(key, forge.md.sha256.create());
  } else {
    cert.setSubject([]);
    cert.setIssuer(forge.pki.certificateFromPem(o.ca.certPem).subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 6, value: o.uri }], critical: true },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(o.ca.keyPem), forge.md.sha256.create());
  }
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

const PILOT_ID = 'spiffe://cluster.local/ns/istio-system/sa/sextant-pilot';
const spiffe = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;
const sidecarNode = (ns: string, sa?: string) => ({
  id: `sidecar~10.0.0.7~reviews-0.${ns}~${ns}.svc.cluster.local`,
  cluster: 'reviews',
  metadata: { fields: { NAMESPACE: { stringValue: ns }, ...(sa ? { SERVICE_ACCOUNT: { stringValue: sa } } : {}) } },
});

let mesh: Pem;
let other: Pem;
let server: grpc.Server;
let ads: AdsServer;
let creds: RotatingServerCredentials;
let port: number;
const source = new MutableSource(echoSnapshot(9000));
const refused: XdsRefusal[] = [];
const accepted: string[] = [];
const clients: grpc.Client[] = [];

beforeAll(async () => {
  mesh = certificate({ cn: 'Mesh Root' });
  other = certificate({ cn: 'Other Root' });
  const serving = certificate({ ca: mesh, uri: PILOT_ID });
  creds = new RotatingServerCredentials({ certChainPem: serving.certPem, privateKeyPem: serving.keyPem, rootsPem: mesh.certPem });
  server = new grpc.Server();
  ads = new AdsServer({ source, logger: silentLogger() });
  ads.attach(server, {
    authorize: tlsAuthorizer({ roots: () => [mesh.certPem], trustDomain: 'cluster.local', logger: silentLogger(), onRefused: (r) => refused.push(r), onAccepted: (id) => accepted.push(id) }),
  });
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
});

afterAll(() => {
  for (const c of clients) c.close();
  ads.close();
  server.forceShutdown();
});

/** A raw SotW client over TLS; records the serving certificate it saw. */
function connect(client: Pem | undefined, roots = mesh.certPem) {
  const seen: { serial?: string; uri?: string } = {};
  const credentials = grpc.credentials.createSsl(Buffer.from(roots), client ? Buffer.from(client.keyPem) : null, client ? Buffer.from(client.certPem) : null, {
    checkServerIdentity: (_host, cert) => {
      const x = new X509Certificate(cert.raw);
      seen.serial = x.serialNumber;
      seen.uri = x.subjectAltName;
      return x.subjectAltName === `URI:${PILOT_ID}` ? undefined : new Error(`Pilot presented ${x.subjectAltName}, not ${PILOT_ID}`);
    },
  });
  const Ads = adsServiceDefinition();
  const c = new Ads(`127.0.0.1:${port}`, credentials) as unknown as grpc.Client & { StreamAggregatedResources(): grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output> };
  clients.push(c);
  const call = c.StreamAggregatedResources();
  const responses: DiscoveryResponse__Output[] = [];
  let status: grpc.StatusObject | undefined;
  call.on('data', (r: DiscoveryResponse__Output) => responses.push(r));
  call.on('status', (s: grpc.StatusObject) => (status = s));
  call.on('error', () => {});
  return {
    seen,
    responses,
    status: () => status,
    send: (req: DiscoveryRequest) => call.write(req),
    ended: () => waitFor(() => status, { timeoutMs: 5_000, intervalMs: 20, what: 'the stream to end' }),
    close: () => call.end(),
  };
}

describe('xDS over TLS: client authentication', () => {
  it('a proxy with a mesh certificate for its namespace syncs, and its identity shows in the stream status', async () => {
    const leaf = certificate({ ca: mesh, uri: spiffe('bookinfo', 'reviews') });
    const c = connect(leaf);
    c.send({ node: sidecarNode('bookinfo', 'reviews'), typeUrl: TYPE_URL.cluster });
    await waitFor(() => c.responses.length > 0, { timeoutMs: 5_000, intervalMs: 20, what: 'a CDS response' });
    expect(c.responses[0]!.typeUrl).toBe(TYPE_URL.cluster);
    expect(c.seen.uri).toBe(`URI:${PILOT_ID}`);
    const status = ads.status().find((s) => s.proxy?.namespace === 'bookinfo');
    expect(status?.security).toEqual({ transport: 'tls', identity: spiffe('bookinfo', 'reviews'), serial: new X509Certificate(leaf.certPem).serialNumber });
    expect(accepted).toContain(spiffe('bookinfo', 'reviews'));
    expect(ads.authenticatedCount).toBe(1);
    c.close();
  });

  const refusals: [string, () => Pem | undefined, ReturnType<typeof sidecarNode>, number, XdsRefusal, RegExp][] = [
    ['no client certificate', () => undefined, sidecarNode('default'), grpc.status.UNAUTHENTICATED, 'no_client_certificate', /no client certificate/],
    ['a certificate from another CA', () => certificate({ ca: other, uri: spiffe('default', 'sleep') }), sidecarNode('default'), grpc.status.UNAUTHENTICATED, 'untrusted', /does not chain to the mesh roots/],
    [
      'an expired certificate',
      () => certificate({ ca: mesh, uri: spiffe('default', 'sleep'), notBefore: new Date(Date.now() - 7_200_000), notAfter: new Date(Date.now() - 60_000) }),
      sidecarNode('default'),
      grpc.status.UNAUTHENTICATED,
      'expired',
      /client certificate of spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep expired at/,
    ],
    ['a certificate for another namespace than the node', () => certificate({ ca: mesh, uri: spiffe('default', 'sleep') }), sidecarNode('istio-system'), grpc.status.PERMISSION_DENIED, 'node_mismatch', /claims namespace istio-system, but its certificate .*ns\/default\/sa\/sleep is for namespace default/],
    ['a certificate for another service account than the node metadata', () => certificate({ ca: mesh, uri: spiffe('default', 'sleep') }), sidecarNode('default', 'reviews'), grpc.status.PERMISSION_DENIED, 'node_mismatch', /claims service account reviews/],
  ];
  for (const [what, leaf, node, code, reason, message] of refusals) {
    it(`refuses ${what}, with the reason, and counts it`, async () => {
      const before = refused.filter((r) => r === reason).length;
      const c = connect(leaf());
      c.send({ node, typeUrl: TYPE_URL.cluster });
      const status = await c.ended();
      expect(status.code).toBe(code);
      expect(status.details).toMatch(message);
      expect(c.responses).toEqual([]);
      expect(refused.filter((r) => r === reason).length).toBe(before + 1);
      expect(ads.status().some((s) => s.proxy?.id === node.id)).toBe(false);
    });
  }
});

describe('xDS over TLS: serving certificate rotation', () => {
  it('new connections get the new certificate; an open stream keeps receiving pushes', async () => {
    const leaf = certificate({ ca: mesh, uri: spiffe('default', 'echo') });
    const before = connect(leaf);
    before.send({ node: sidecarNode('default', 'echo'), typeUrl: TYPE_URL.cluster });
    await waitFor(() => before.responses.length === 1, { timeoutMs: 5_000, intervalMs: 20, what: 'the first CDS response' });
    const oldSerial = before.seen.serial;
    const first = before.responses[0]!;
    before.send({ typeUrl: TYPE_URL.cluster, versionInfo: first.versionInfo, responseNonce: first.nonce });

    const next = certificate({ ca: mesh, uri: PILOT_ID });
    creds.update({ certChainPem: next.certPem, privateKeyPem: next.keyPem, rootsPem: mesh.certPem });
    source.snapshot = snapshot({ clusters: [edsCluster('after-rotation')], endpoints: [cla('after-rotation', [{ host: '10.0.0.9', port: 80 }])] });
    ads.push(fullPush('after rotation'));
    const names = (r: DiscoveryResponse__Output) => r.resources.map((a) => Buffer.from((a as unknown as { value: Uint8Array }).value).toString('latin1')).join(' ');
    await waitFor(() => before.responses.some((r) => names(r).includes('after-rotation')), { timeoutMs: 5_000, intervalMs: 20, what: 'a push on the stream opened before the rotation' });
    expect(before.status()).toBeUndefined();

    const after = connect(leaf);
    after.send({ node: sidecarNode('default', 'echo'), typeUrl: TYPE_URL.cluster });
    await waitFor(() => after.responses.length === 1, { timeoutMs: 5_000, intervalMs: 20, what: 'a CDS response on a new connection' });
    expect(after.seen.serial).toBe(new X509Certificate(next.certPem).serialNumber);
    expect(after.seen.serial).not.toBe(oldSerial);
    before.close();
    after.close();
  });
});
