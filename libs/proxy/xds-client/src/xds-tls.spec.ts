// The xDS client over TLS against a real grpc-js TLS server that requires a
// client certificate: it syncs with its workload certificate, refuses a
// Pilot whose certificate names another SPIFFE ID or comes from another CA,
// and presents a rotated certificate from the next reconnect on.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { waitFor } from '@sextant/util';
import forge from 'node-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { cla, edsCluster, httpListener, IDENTITY, routeConfig, routeTo, vhost } from './spec-fixtures';
import { FakeAdsServer } from './testing';
import { XdsClient } from './xds-client';
import { checkPilotIdentity, type XdsTlsMaterial } from './xds-tls';

interface Pem {
  certPem: string;
  keyPem: string;
}

function certificate(o: { ca?: Pem; cn?: string; uri?: string }): Pem {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
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
const WORKLOAD_ID = 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews';
const C1 = 'outbound|9080||reviews.default.svc.cluster.local';
const mesh = certificate({ cn: 'Mesh Root' });

let server: FakeAdsServer | undefined;
let client: XdsClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.stop();
  client = undefined;
  server = undefined;
});

/** A Pilot double on TLS that requires a client certificate chained to the mesh root. */
async function pilot(serving: Pem) {
  server = new FakeAdsServer();
  await server.start(0, grpc.ServerCredentials.createSsl(Buffer.from(mesh.certPem), [{ cert_chain: Buffer.from(serving.certPem), private_key: Buffer.from(serving.keyPem) }], true));
  server.set('cluster', { [C1]: edsCluster(C1) }, { push: false });
  server.set('endpoint', { [C1]: cla(C1, [['127.0.0.1', 9081]]) }, { push: false });
  server.set('listener', { '0.0.0.0_9080': httpListener(9080) }, { push: false });
  server.set('route', { '9080': routeConfig('9080', [vhost('reviews', ['reviews'], [routeTo(C1)])]) }, { push: false });
  return server;
}

function tlsClient(address: string, material: () => XdsTlsMaterial | undefined) {
  client = new XdsClient({ address, identity: IDENTITY, protocol: 'delta', backoff: { initialMs: 50, maxMs: 200 }, tls: { credentials: material, serverIdentity: PILOT_ID } });
  client.start();
  return client;
}

const material = (leaf: Pem): XdsTlsMaterial => ({ certChainPem: leaf.certPem, privateKeyPem: leaf.keyPem, rootsPem: mesh.certPem });

describe('XdsClient over TLS', () => {
  it('connects with its workload certificate and verifies Pilot by SPIFFE ID', async () => {
    const s = await pilot(certificate({ ca: mesh, uri: PILOT_ID }));
    const leaf = certificate({ ca: mesh, uri: WORKLOAD_ID });
    const c = tlsClient(s.address, () => material(leaf));
    await c.whenReady();
    expect(c.status()).toMatchObject({ transport: 'tls', pilotIdentity: PILOT_ID, ready: true });
    expect(s.clientSerials[0]).toBe(new X509Certificate(leaf.certPem).serialNumber);
  });

  it('refuses a Pilot whose certificate names another identity, saying which', async () => {
    const s = await pilot(certificate({ ca: mesh, uri: 'spiffe://cluster.local/ns/default/sa/impostor' }));
    const c = tlsClient(s.address, () => material(certificate({ ca: mesh, uri: WORKLOAD_ID })));
    await waitFor(() => c.status().lastError?.includes('sa/impostor, not spiffe://cluster.local/ns/istio-system/sa/sextant-pilot'), { timeoutMs: 5_000, what: 'the identity refusal' });
    expect(c.ready).toBe(false);
    expect(s.requests).toEqual([]);
  });

  it('refuses a Pilot whose certificate comes from another CA', async () => {
    const other = certificate({ cn: 'Other Root' });
    const s = await pilot(certificate({ ca: other, uri: PILOT_ID }));
    const c = tlsClient(s.address, () => material(certificate({ ca: mesh, uri: WORKLOAD_ID })));
    await waitFor(() => c.status().reconnects >= 2, { timeoutMs: 5_000, what: 'failed attempts' });
    expect(c.status().lastError).toMatch(/UNAVAILABLE/);
    expect(c.ready).toBe(false);
    expect(s.requests).toEqual([]);
  });

  it('waits for its certificate, then presents a rotated one from the next reconnect on', async () => {
    const s = await pilot(certificate({ ca: mesh, uri: PILOT_ID }));
    let current: Pem | undefined;
    const c = tlsClient(s.address, () => (current ? material(current) : undefined));
    await waitFor(() => c.status().lastError?.includes('waiting for the workload certificate'), { timeoutMs: 2_000, what: 'the wait for a certificate' });
    const first = certificate({ ca: mesh, uri: WORKLOAD_ID });
    current = first;
    await c.whenReady();
    const second = certificate({ ca: mesh, uri: WORKLOAD_ID });
    current = second;
    // The open stream is not touched by the rotation; a reconnect presents the new certificate.
    expect(s.clientSerials).toEqual([new X509Certificate(first.certPem).serialNumber]);
    s.disconnectAll();
    await waitFor(() => s.clientSerials.length === 2, { timeoutMs: 5_000, what: 'the reconnect' });
    expect(s.clientSerials[1]).toBe(new X509Certificate(second.certPem).serialNumber);
  });

  it('checkPilotIdentity reads URI SANs only', () => {
    expect(checkPilotIdentity(PILOT_ID, { subjectaltname: `DNS:istiod.istio-system.svc, URI:${PILOT_ID}` })).toBeUndefined();
    expect(checkPilotIdentity(PILOT_ID, { subjectaltname: `DNS:${PILOT_ID}` })?.message).toBe(`Pilot's certificate names no SPIFFE ID, not ${PILOT_ID}`);
  });
});
