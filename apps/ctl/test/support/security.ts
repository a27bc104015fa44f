// Helpers for the security specs (apps/ctl/test/security-*.spec.ts): the
// mesh's own root (read from the test's private state dir, as an attacker who
// stole it could), certificates made in the test (node:crypto keys, X.509
// built with node-forge and signed with node:crypto, so the mesh's ECDSA root
// can sign too), raw TLS clients aimed straight at a sidecar's inbound port,
// and readers for a proxy's /certs and log file.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';

export interface Pem {
  certPem: string;
  keyPem: string;
}

const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_RSA_SHA256 = '1.2.840.113549.1.1.11';

/** The root that signs workload certificates now (self-signed mode), from Citadel's data dir under SEXTANT_HOME. */
export function meshRoot(home: string): Pem {
  const ca = join(home, 'data', 'citadel', 'ca');
  const state = JSON.parse(readFileSync(join(ca, 'state.json'), 'utf8')) as { currentRoot?: string };
  if (!state.currentRoot) throw new Error(`${ca}/state.json names no current root (plugged-in CA?)`);
  const dir = join(ca, 'roots', state.currentRoot);
  return { certPem: readFileSync(join(dir, 'root-cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'root-key.pem'), 'utf8') };
}

const serial = (): string => {
  // A positive DER INTEGER without a leading zero byte (first byte 0x01-0x7f): a 0x00 first byte is "illegal padding".
  const b = randomBytes(12);
  b[0] = 1 + (b[0]! % 0x7f);
  return b.toString('hex');
};

/** The subject Name of a certificate, as forge ASN.1 (works for any key type, unlike forge's certificate parser). */
function subjectAsn1(certPem: string): forge.asn1.Asn1 {
  const der = new X509Certificate(certPem).raw;
  const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  // version [0] is explicit and present for v3: version, serial, sigAlg, issuer, validity, subject
  return tbs[(tbs[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0) + 4]!;
}

function sigAlg(key: KeyObject): { oid: string; asn1: forge.asn1.Asn1 } {
  const oid = key.asymmetricKeyType === 'ec' ? OID_ECDSA_SHA256 : OID_RSA_SHA256;
  const parts = [forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(oid).getBytes())];
  // RSA carries NULL parameters; ECDSA none (RFC 5758).
  if (oid === OID_RSA_SHA256) parts.push(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, ''));
  return { oid, asn1: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, parts) };
}

export interface CertOptions {
  /** Signer; a self-signed CA when absent. */
  issuer?: Pem;
  ca?: boolean;
  commonName?: string;
  uris?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** An X.509 certificate with a fresh RSA key, signed by `issuer` (any key type) or by itself. */
export function makeCert(o: CertOptions): Pem {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const fkey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(fkey.n, fkey.e);
  cert.serialNumber = serial();
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 3_600_000);
  const name = o.ca ? [{ name: 'organizationName', value: 'attacker.example' }, { name: 'commonName', value: o.commonName ?? 'Attacker CA' }] : [{ name: 'organizationName', value: 'attacker.example' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
          { name: 'subjectAltName', critical: true, altNames: (o.uris ?? []).map((value) => ({ type: 6, value })) },
        ],
  );
  const signerKey = createPrivateKey(o.issuer?.keyPem ?? keyPem);
  const alg = sigAlg(signerKey);
  cert.siginfo.algorithmOid = alg.oid;
  // In node-forge, missing from its type definitions.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  fields[2] = alg.asn1;
  if (o.issuer) fields[3] = subjectAsn1(o.issuer.certPem);
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, signerKey);
  const full = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
    tbs,
    alg.asn1,
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BITSTRING, false, `\x00${signature.toString('binary')}`),
  ]);
  const der = Buffer.from(forge.asn1.toDer(full).getBytes(), 'binary');
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(certPem); // parses, or throws here rather than in a handshake
  return { certPem, keyPem };
}

export interface TlsProbe {
  /** The handshake completed and an HTTP answer came back. */
  status?: number;
  body?: string;
  /** What ended it otherwise: the TLS alert / socket error, or "closed". */
  error?: string;
  /** The certificate the sidecar presented, when the handshake got that far. */
  serverUri?: string;
}

/**
 * Connects with TLS straight to `host:port` (a sidecar's inbound port), as a
 * sidecar would (Istio's mesh ALPN), optionally presenting `client`, and sends
 * one HTTP/1.1 GET. The server certificate is not checked here (the test
 * looks at what it was); the point is what the sidecar does with the client.
 */
export function tlsGet(host: string, port: number, client: Pem | undefined, path = '/', timeoutMs = 5_000): Promise<TlsProbe> {
  return new Promise((done) => {
    let serverUri: string | undefined;
    let data = '';
    let finished = false;
    const finish = (p: TlsProbe) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      s.destroy();
      done({ ...p, ...(serverUri ? { serverUri } : {}) });
    };
    const s = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['istio-http/1.1', 'http/1.1'], servername: 'outbound_.8080_._.echo.default.svc.cluster.local', ...(client ? { cert: client.certPem, key: client.keyPem } : {}) });
    const timer = setTimeout(() => finish({ error: `no answer in ${timeoutMs} ms` }), timeoutMs);
    s.on('secureConnect', () => {
      serverUri = /URI:([^,\s]+)/.exec(s.getPeerCertificate().subjectaltname ?? '')?.[1];
      s.write(`GET ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\nconnection: close\r\n\r\n`);
    });
    s.on('data', (c: Buffer) => {
      data += c.toString();
    });
    s.on('end', () => finish(parseHttp(data) ?? { error: 'closed' }));
    s.on('close', () => finish(parseHttp(data) ?? { error: 'closed' }));
    s.on('error', (err: Error & { code?: string }) => finish(parseHttp(data) ?? { error: err.code ?? err.message }));
  });
}

function parseHttp(raw: string): TlsProbe | undefined {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
  if (!m) return undefined;
  const i = raw.indexOf('\r\n\r\n');
  return { status: Number(m[1]), body: i >= 0 ? raw.slice(i + 4) : '' };
}

/** A plaintext HTTP/1.1 GET straight to `host:port`: the status, or how the connection ended. */
export function plainGet(host: string, port: number, path = '/', timeoutMs = 5_000): Promise<TlsProbe> {
  return new Promise((done) => {
    let data = '';
    let finished = false;
    const s = net.connect(port, host);
    const finish = (p: TlsProbe) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      s.destroy();
      done(p);
    };
    const timer = setTimeout(() => finish({ error: `no answer in ${timeoutMs} ms` }), timeoutMs);
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\nconnection: close\r\n\r\n`));
    s.on('data', (c: Buffer) => {
      data += c.toString();
    });
    s.on('close', () => finish(parseHttp(data) ?? { error: 'closed' }));
    s.on('error', (err: Error & { code?: string }) => finish(parseHttp(data) ?? { error: err.code ?? err.message }));
  });
}

export interface CertsView {
  state: string;
  identity: string | null;
  issuances: number;
  certificates: { cert_chain: { serial_number: string; subject_alt_names: { uri?: string }[]; valid_from: string; expiration_time: string }[] }[];
}

/** A proxy's /certs (admin port 15000 for sidecars). */
export async function proxyCerts(adminBase: string): Promise<CertsView> {
  return (await (await fetch(`${adminBase}/certs`, { signal: AbortSignal.timeout(5_000) })).json()) as CertsView;
}

/** Sets a proxy's log level through its admin /logging (like Envoy's). */
export async function setLogLevel(adminBase: string, level: string): Promise<void> {
  const r = await fetch(`${adminBase}/logging?level=${level}`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  if (!r.ok) throw new Error(`POST ${adminBase}/logging?level=${level}: ${r.status} ${await r.text()}`);
}

/** JSON log lines of a process log file written after byte offset `from`. */
export function logLinesSince(file: string, from: number): Record<string, unknown>[] {
  const text = readFileSync(file).subarray(from).toString();
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line being written
    }
  }
  return out;
}
