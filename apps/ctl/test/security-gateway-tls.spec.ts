// TLS termination at the ingress gateway (Istio's "Secure Gateways" task with
// certificate files): a Gateway with two SIMPLE HTTPS servers on one port,
// each host with its own certificate chosen by SNI and its own backend; an
// HTTP server that redirects to HTTPS; and a MUTUAL server that requires a
// client certificate from a client CA. All certificates are made here and
// written to files in the mesh's temp dir; clients are node:https with
// servername and ca, as a user's client would be. One mesh for the file
// (two echo services, apps/ctl/test/fixtures/gateway-tls.yaml).
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startMesh, type TestMesh } from './support/mesh';
import { issue, type KeyPair } from './support/tls-certs';

const WEB = 'web.example.com';
const ECHO = 'echo.example.com';
const HTTPS_PORT = 8443;
const HTTP_PORT = 8081;
const MTLS_PORT = 9443;

let mesh: TestMesh;
let gw: string;
const serverCa = issue({ commonName: 'Example Server CA', ca: true });
const clientCa = issue({ commonName: 'Example Client CA', ca: true });
const otherCa = issue({ commonName: 'Other CA', ca: true });
const webCert = issue({ commonName: WEB, issuer: serverCa, dnsNames: [WEB] });
const echoCert = issue({ commonName: ECHO, issuer: serverCa, dnsNames: [ECHO] });
const goodClient = issue({ commonName: 'client', issuer: clientCa, usage: 'client' });
const strangerClient = issue({ commonName: 'client', issuer: otherCa, usage: 'client' });

interface Answer {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  /** DNS names of the certificate the gateway presented. */
  peerDns?: string;
  error?: string;
}

interface Req {
  port: number;
  host: string;
  ca?: string;
  client?: KeyPair;
  path?: string;
}

/** One HTTPS GET on a new connection to the gateway, with SNI and Host `host`. */
function httpsGet(r: Req): Promise<Answer> {
  return new Promise((done) => {
    const req = https.request(
      { host: gw, port: r.port, servername: r.host, path: r.path ?? '/', headers: { host: r.host }, agent: false, timeout: 10_000, ...(r.ca ? { ca: r.ca } : {}), ...(r.client ? { cert: r.client.certPem, key: r.client.keyPem } : {}) },
      (res) => {
        const peerDns = (res.socket as TLSSocket).getPeerCertificate().subjectaltname;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString(), ...(peerDns ? { peerDns } : {}) }));
        res.on('error', (e: Error & { code?: string }) => done({ error: e.code ?? e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', (e: Error & { code?: string }) => done({ error: e.code ?? e.message }));
    req.end();
  });
}

function httpGet(port: number, host: string, path: string): Promise<Answer> {
  return new Promise((done) => {
    const req = http.request({ host: gw, port, path, headers: { host }, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', (e: Error & { code?: string }) => done({ error: e.code ?? e.message }));
    req.end();
  });
}

const echoOf = (a: Answer): { instance?: string } => {
  try {
    return JSON.parse(a.body ?? '') as { instance?: string };
  } catch {
    return {};
  }
};

/** Repeats `get` until `ok` holds or 20 s pass (the gateway binds its new listeners after the ACK). */
async function until(get: () => Promise<Answer>, ok: (a: Answer) => boolean): Promise<Answer> {
  const deadline = Date.now() + 20_000;
  let a = await get();
  while (!ok(a) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    a = await get();
  }
  return a;
}

beforeAll(async () => {
  mesh = await startMesh('sextant-gateway-tls-', join(FIXTURES, 'gateway-tls.yaml'));
  gw = mesh.status.gateways[0]!.address;
  const file = (name: string, text: string) => {
    const p = join(mesh.home, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const f = {
    webCert: file('web.crt', webCert.certPem),
    webKey: file('web.key', webCert.keyPem),
    echoCert: file('echo.crt', echoCert.certPem),
    echoKey: file('echo.key', echoCert.keyPem),
    clientCa: file('client-ca.crt', clientCa.certPem),
  };
  await mesh.apply(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: tls-gateway, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: ${HTTPS_PORT}, name: https-web, protocol: HTTPS }
      hosts: [${WEB}]
      tls: { mode: SIMPLE, serverCertificate: ${f.webCert}, privateKey: ${f.webKey} }
    - port: { number: ${HTTPS_PORT}, name: https-echo, protocol: HTTPS }
      hosts: [${ECHO}]
      tls: { mode: SIMPLE, serverCertificate: ${f.echoCert}, privateKey: ${f.echoKey} }
    - port: { number: ${HTTP_PORT}, name: http-redirect, protocol: HTTP }
      hosts: ['*']
      tls: { httpsRedirect: true }
    - port: { number: ${MTLS_PORT}, name: https-mutual, protocol: HTTPS }
      hosts: [${ECHO}]
      tls: { mode: MUTUAL, serverCertificate: ${f.echoCert}, privateKey: ${f.echoKey}, caCertificates: ${f.clientCa} }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web-tls, namespace: default }
spec:
  hosts: [${WEB}]
  gateways: [tls-gateway]
  http: [{ route: [{ destination: { host: web.default.svc.cluster.local, port: { number: 8080 } } }] }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo-tls, namespace: default }
spec:
  hosts: [${ECHO}]
  gateways: [tls-gateway]
  http: [{ route: [{ destination: { host: echo.default.svc.cluster.local, port: { number: 8080 } } }] }]
`);
}, 300_000);

afterAll(() => mesh?.down());

describe('SIMPLE TLS with per-host certificate files (SNI)', () => {
  it('each host gets its own certificate and its own backend', async () => {
    const web = await until(() => httpsGet({ port: HTTPS_PORT, host: WEB, ca: serverCa.certPem }), (a) => a.status === 200);
    expect(web.error).toBeUndefined();
    expect(web.status).toBe(200);
    expect(web.peerDns).toBe(`DNS:${WEB}`);
    expect(echoOf(web).instance).toBe('web-0');

    const echo = await until(() => httpsGet({ port: HTTPS_PORT, host: ECHO, ca: serverCa.certPem }), (a) => a.status === 200);
    expect(echo.status).toBe(200);
    expect(echo.peerDns).toBe(`DNS:${ECHO}`);
    expect(echoOf(echo).instance).toBe('echo-0');
  });

  it('a client that does not trust the CA refuses the gateway', async () => {
    const a = await httpsGet({ port: HTTPS_PORT, host: WEB });
    expect(a.status).toBeUndefined();
    expect(a.error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const other = await httpsGet({ port: HTTPS_PORT, host: ECHO, ca: otherCa.certPem });
    expect(other.status).toBeUndefined();
    expect(other.error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('HTTP server with httpsRedirect', () => {
  // Pilot emits the server's virtual hosts with requireTls: ALL; the proxy answers plaintext with a redirect, like Envoy.
  it('answers 301 to the https URL of the same host and path', async () => {
    const a = await until(() => httpGet(HTTP_PORT, WEB, '/some/path?q=1'), (x) => x.status === 301);
    expect(a.status).toBe(301);
    expect(a.headers?.location).toMatch(new RegExp(`^https://${WEB.replace(/\./g, '\\.')}(:443)?/some/path\\?q=1$`));
  });
});

// How a refused handshake ends for the client: a TLS alert (e.g. TLS 1.3
// certificate_required) or the gateway closing the connection.
const REFUSED = /^(ERR_SSL_\w*ALERT\w*|ECONNRESET|EPIPE)$/;

describe('MUTUAL TLS with caCertificates', () => {
  it('a client with a certificate from the client CA gets 200 from its backend', async () => {
    const a = await until(() => httpsGet({ port: MTLS_PORT, host: ECHO, ca: serverCa.certPem, client: goodClient }), (x) => x.status === 200);
    expect(a.error).toBeUndefined();
    expect(a.status).toBe(200);
    expect(a.peerDns).toBe(`DNS:${ECHO}`);
    expect(echoOf(a).instance).toBe('echo-0');
  });

  it('a client without a certificate is refused', async () => {
    const a = await httpsGet({ port: MTLS_PORT, host: ECHO, ca: serverCa.certPem });
    expect(a.status).toBeUndefined();
    expect(a.error).toMatch(REFUSED);
  });

  it('a client with a certificate from another CA is refused', async () => {
    const a = await httpsGet({ port: MTLS_PORT, host: ECHO, ca: serverCa.certPem, client: strangerClient });
    expect(a.status).toBeUndefined();
    expect(a.error).toMatch(REFUSED);
  });
});
