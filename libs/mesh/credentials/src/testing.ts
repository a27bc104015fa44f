// Test certificates for the specs: keys from node:crypto, X.509 by node-forge.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestPair {
  certPem: string;
  keyPem: string;
}

export function testCert(o: { cn: string; issuer?: TestPair; ca?: boolean; dns?: string[]; notAfter?: Date }): TestPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const notAfter = o.notAfter ?? new Date(Date.now() + 24 * 3_600_000);
  cert.validity.notBefore = new Date(Math.min(Date.now(), notAfter.getTime()) - 3_600_000);
  cert.validity.notAfter = notAfter;
  const subject = [{ name: 'commonName', value: o.cn }];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? forge.pki.certificateFromPem(o.issuer.certPem).subject.attributes : subject);
  cert.setExtensions(
    o.ca
      ? [{ name: 'basicConstraints', cA: true, critical: true }]
      : [{ name: 'basicConstraints', cA: false }, ...(o.dns?.length ? [{ name: 'subjectAltName', altNames: o.dns.map((value) => ({ type: 2, value })) }] : [])],
  );
  const signer = o.issuer ? (forge.pki.privateKeyFromPem(o.issuer.keyPem) as forge.pki.rsa.PrivateKey) : key;
  cert.sign(signer, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
