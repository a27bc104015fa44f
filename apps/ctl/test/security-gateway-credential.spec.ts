// Istio's "Secure Gateways" task with credentialName, in the real local mesh:
// the credential is stored with `sextant create secret tls|generic -n
// istio-system` (the gateway's namespace), a Gateway names it, and clients
// (node:https with SNI, as curl --resolve --cacert would be) get the stored
// certificate. MUTUAL reads the client CA from ca.crt of the same Secret
// and from a NAME-cacert Secret. Rotation through `create --dry-run -o yaml |
// apply -f` reaches new connections without restarting the gateway; bad
// input is refused with the file, field and reason and the old credential
// stays served; deletion takes the credential away and Pilot's warning
// returns. One mesh for the file (apps/ctl/test/fixtures/gateway-tls.yaml).
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startMesh, type TestMesh } from './support/mesh';
import { issue, type KeyPair } from './support/tls-certs';

const WEB = 'web.example.com';
const ECHO = 'echo.example.com';
const SIMPLE_PORT = 8443;
const MUTUAL_PORT = 9443;
const MUTUAL_CACERT_PORT = 9444;
const NS = 'istio-system';

let mesh: TestMesh;
let gw: string;
const serverCa = issue({ commonName: 'Example Server CA', ca: true });
const clientCa = issue({ commonName: 'Example Client CA', ca: true });
const webCert = issue({ commonName: WEB, issuer: serverCa, dnsNames: [WEB] });
const webCert2 = issue({ commonName: WEB, issuer: serverCa, dnsNames: [WEB] });
const echoCert = issue({ commonName: ECHO, issuer: serverCa, dnsNames: [ECHO] });
const client = issue({ commonName: 'client', issuer: clientCa, usage: 'client' });
const fingerprint = (k: KeyPair) => new X509Certificate(k.certPem).fingerprint256;

interface Answer {
  status?: number;
  body?: string;
  /** SHA-256 fingerprint of the certificate the gateway presented. */
  peer?: string;
  error?: string;
}

/** One HTTPS GET on a new connection with SNI and Host `host`. */
function httpsGet(port: number, host: string, clientCert?: KeyPair): Promise<Answer> {
  return new Promise((done) => {
    const req = https.request(
      { host: gw, port, servername: host, path: '/', headers: { host }, agent: false, timeout: 10_000, ca: serverCa.certPem, ...(clientCert ? { cert: clientCert.certPem, key: clientCert.keyPem } : {}) },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString(), peer }));
        res.on('error', (e: Error & { code?: string }) => done({ error: e.code ?? e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', (e: Error & { code?: string }) => done({ error: e.code ?? e.message }));
    req.end();
  });
}

async function until(get: () => Promise<Answer>, ok: (a: Answer) => boolean): Promise<Answer> {
  const deadline = Date.now() + 20_000;
  let a = await get();
  while (!ok(a) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    a = await get();
  }
  return a;
}

const file = (name: string, text: string): string => {
  const p = join(mesh.home, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const instanceOf = (a: Answer) => (JSON.parse(a.body ?? '{}') as { instance?: string }).instance;
// A refused handshake: a TLS alert (TLS 1.3 certificate_required) or the gateway closing the connection.
const REFUSED = /^(ERR_SSL_\w*ALERT\w*|ECONNRESET|EPIPE)$/;

/** The gateway proxy's warnings in Pilot's config_dump. */
async function gatewayWarnings(): Promise<string[]> {
  const sync = (await (await fetch(`${mesh.pilotAdmin}/debug/syncz`)).json()) as { proxy: string }[];
  const id = sync.map((s) => s.proxy).find((p) => p.startsWith('router~'));
  if (!id) throw new Error(`no gateway among ${sync.map((s) => s.proxy).join(', ')}`);
  const dump = (await (await fetch(`${mesh.pilotAdmin}/debug/config_dump?proxy=${encodeURIComponent(id)}`)).json()) as { warnings: string[] };
  return dump.warnings;
}

beforeAll(async () => {
  mesh = await startMesh('sextant-gateway-cred-', join(FIXTURES, 'gateway-tls.yaml'));
  gw = mesh.status.gateways[0]!.address;
  const f = {
    webCrt: file('web.crt', webCert.certPem),
    webKey: file('web.key', webCert.keyPem),
    echoCrt: file('echo.crt', echoCert.certPem),
    echoKey: file('echo.key', echoCert.keyPem),
    clientCa: file('client-ca.crt', clientCa.certPem),
  };
  const created = [
    mesh.cli(['create', 'secret', 'tls', 'web-credential', '-n', NS, '--cert', f.webCrt, '--key', f.webKey]),
    mesh.cli(['create', 'secret', 'generic', 'web-credential-cacert', '-n', NS, `--from-file=ca.crt=${f.clientCa}`]),
    mesh.cli(['create', 'secret', 'generic', 'echo-credential', '-n', NS, `--from-file=tls.crt=${f.echoCrt}`, `--from-file=tls.key=${f.echoKey}`, `--from-file=ca.crt=${f.clientCa}`]),
  ];
  for (const r of created) if (r.code !== 0) throw new Error(`create secret failed (${r.code}): ${r.stderr}`);
  expect(created.map((r) => r.stdout.trim())).toEqual(['secret/web-credential created', 'secret/web-credential-cacert created', 'secret/echo-credential created']);
  await mesh.apply(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: credential-gateway, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: ${SIMPLE_PORT}, name: https-web, protocol: HTTPS }
      hosts: [${WEB}]
      tls: { mode: SIMPLE, credentialName: web-credential }
    - port: { number: ${MUTUAL_PORT}, name: https-echo-mutual, protocol: HTTPS }
      hosts: [${ECHO}]
      tls: { mode: MUTUAL, credentialName: echo-credential }
    - port: { number: ${MUTUAL_CACERT_PORT}, name: https-web-mutual, protocol: HTTPS }
      hosts: [${WEB}]
      tls: { mode: MUTUAL, credentialName: web-credential }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web-cred, namespace: default }
spec:
  hosts: [${WEB}]
  gateways: [credential-gateway]
  http: [{ route: [{ destination: { host: web.default.svc.cluster.local, port: { number: 8080 } } }] }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo-cred, namespace: default }
spec:
  hosts: [${ECHO}]
  gateways: [credential-gateway]
  http: [{ route: [{ destination: { host: echo.default.svc.cluster.local, port: { number: 8080 } } }] }]
`);
}, 300_000);

afterAll(() => mesh?.down());

describe('SIMPLE with credentialName', () => {
  it('serves the stored certificate by SNI and routes to the backend', async () => {
    const a = await until(() => httpsGet(SIMPLE_PORT, WEB), (x) => x.status === 200);
    expect(a.error).toBeUndefined();
    expect(a.status).toBe(200);
    expect(a.peer).toBe(fingerprint(webCert));
    expect(instanceOf(a)).toBe('web-0');
    const held = await (await fetch(`${mesh.pilotAdmin}/debug/credentialz`)).text();
    expect(JSON.parse(held)).toMatchObject({ sources: { config: 3 }, rejected: [] });
    expect(held).toContain('"secret":"istio-system/web-credential-cacert","source":"config","certificate":false,"caCertificate":true');
    expect(held).not.toContain('PRIVATE KEY');
  });

  it('get and history show type, keys and certificate facts, never key material', () => {
    const table = mesh.cli(['get', 'secret', '-n', NS]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/NAME\s+TYPE\s+DATA\s+HOSTS\s+EXPIRES/);
    expect(table.stdout).toMatch(new RegExp(`web-credential\\s+kubernetes.io/tls\\s+2\\s+${WEB.replace(/\./g, '\\.')}\\s+\\d{4}-`));
    const yaml = mesh.cli(['get', 'secret', 'echo-credential', '-n', NS, '-o', 'yaml']);
    expect(yaml.stdout).toContain('tls.key: REDACTED');
    expect(yaml.stdout).toContain(`subject: O=sextant-test, CN=${ECHO}`);
    expect(yaml.stdout).toContain(`- DNS:${ECHO}`);
    const history = mesh.cli(['config', 'history', 'secret', 'web-credential', '-n', NS, '-o', 'json']);
    expect(history.code).toBe(0);
    for (const out of [table.stdout, yaml.stdout, history.stdout]) {
      expect(out).not.toContain('PRIVATE KEY');
      expect(out).not.toContain(Buffer.from(webCert.keyPem).toString('base64').slice(0, 40));
      expect(out).not.toContain(Buffer.from(echoCert.keyPem).toString('base64').slice(0, 40));
    }
  });
});

describe('MUTUAL with credentialName', () => {
  it('ca.crt in the same Secret: a client without a certificate is refused, one from the client CA gets 200', async () => {
    const ok = await until(() => httpsGet(MUTUAL_PORT, ECHO, client), (x) => x.status === 200);
    expect(ok.status).toBe(200);
    expect(ok.peer).toBe(fingerprint(echoCert));
    expect(instanceOf(ok)).toBe('echo-0');
    const refused = await httpsGet(MUTUAL_PORT, ECHO);
    expect(refused.status).toBeUndefined();
    expect(refused.error).toMatch(REFUSED);
  });

  it('a separate NAME-cacert Secret holds the client CA', async () => {
    const ok = await until(() => httpsGet(MUTUAL_CACERT_PORT, WEB, client), (x) => x.status === 200);
    expect(ok.status).toBe(200);
    expect(ok.peer).toBe(fingerprint(webCert));
    expect((await httpsGet(MUTUAL_CACERT_PORT, WEB)).error).toMatch(REFUSED);
  });
});

describe('bad input is refused and the old credential stays served', () => {
  it('a key that does not match its certificate (create secret)', () => {
    const r = mesh.cli(['create', 'secret', 'tls', 'web-credential-2', '-n', NS, '--cert', file('new.crt', webCert2.certPem), '--key', file('wrong.key', echoCert.keyPem)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--key ${join(mesh.home, 'wrong.key')} (data.tls.key): the private key does not match the certificate in data.tls.crt ("O=sextant-test, CN=${WEB}")`);
    expect(mesh.cli(['get', 'secret', 'web-credential-2', '-n', NS]).code).toBe(1);
  });

  it('garbage PEM in an applied Secret, and a create over an existing name', async () => {
    const bad = file('garbage.yaml', `apiVersion: v1\nkind: Secret\nmetadata: { name: web-credential, namespace: ${NS} }\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: "not a certificate"\n  tls.key: "not a key"\n`);
    const r = mesh.cli(['apply', '-f', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}#0 Secret/${NS}/web-credential: stringData.tls.crt: not PEM: no -----BEGIN CERTIFICATE----- block`);
    expect(r.stderr).toContain('nothing was applied');
    const again = mesh.cli(['create', 'secret', 'tls', 'web-credential', '-n', NS, '--cert', join(mesh.home, 'web.crt'), '--key', join(mesh.home, 'web.key')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('secret "web-credential" already exists in namespace istio-system');
    const a = await httpsGet(SIMPLE_PORT, WEB);
    expect(a.status).toBe(200);
    expect(a.peer).toBe(fingerprint(webCert));
  });
});

describe('rotation and deletion', () => {
  it('a rotated certificate is served on new connections, without restarting the gateway', async () => {
    const gatewayProcess = () => mesh.statusJson().components.find((c) => c.name === 'ingress-gateway');
    const before = gatewayProcess();
    expect(before?.pid).toBeGreaterThan(0);
    const printed = mesh.cli(['create', 'secret', 'tls', 'web-credential', '-n', NS, '--cert', file('web2.crt', webCert2.certPem), '--key', file('web2.key', webCert2.keyPem), '--dry-run', '-o', 'yaml']);
    expect(printed.code).toBe(0);
    await mesh.apply(file('rotated.yaml', printed.stdout));
    const a = await until(() => httpsGet(SIMPLE_PORT, WEB), (x) => x.peer === fingerprint(webCert2));
    expect(a.status).toBe(200);
    expect(a.peer).toBe(fingerprint(webCert2));
    // The MUTUAL server on the same credential rotates too; its CA (web-credential-cacert) is unchanged.
    expect((await until(() => httpsGet(MUTUAL_CACERT_PORT, WEB, client), (x) => x.peer === fingerprint(webCert2))).status).toBe(200);
    expect(gatewayProcess()).toMatchObject({ pid: before!.pid, restarts: before!.restarts });
  });

  it('deleting the Secret takes the credential away and Pilot warns again', async () => {
    const r = mesh.cli(['delete', 'secret', 'echo-credential', '-n', NS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"echo-credential" deleted');
    const gone = await until(() => httpsGet(MUTUAL_PORT, ECHO, client), (x) => x.status === undefined);
    expect(gone.status).toBeUndefined();
    await expect.poll(gatewayWarnings, { timeout: 10_000 }).toContain(
      `SDS secret kubernetes://echo-credential: no Secret ${NS}/echo-credential; not sent (the proxy must have it locally, or the TLS it configures cannot serve)`,
    );
    expect((await httpsGet(SIMPLE_PORT, WEB)).status).toBe(200);
    // istioctl analyze's credentialName check, against the stored Secrets.
    const analyzed = mesh.cli(['analyze', '-n', 'default']);
    expect(analyzed.stdout).toMatch(/Error \[IST0101\] \(Gateway default\/credential-gateway\) .*"echo-credential"/);
    expect(analyzed.stdout).not.toMatch(/IST0101.*"web-credential"/);
  });
});
