// Certificates for TLS termination tests: a CA, and server/client
// certificates with DNS names signed by it. Keys come from node:crypto (fast),
// X.509 is built and signed by node-forge (RSA, SHA-256).
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  commonName: string;
  /** Signer; self-signed when absent. */
  issuer?: KeyPair;
  ca?: boolean;
  dnsNames?: string[];
  usage?: 'server' | 'client';
}

export function issue(o: IssueOptions): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // A positive DER INTEGER without a leading zero byte: first byte 0x01-0x7f (a 0x00 first byte made
  // "illegal padding" X.509 once in a few hundred certificates).
  const serial = randomBytes(12);
  serial[0] = 1 + (serial[0]! % 0x7f);
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  const subject = [{ name: 'organizationName', value: 'sextant-test' }, { name: 'commonName', value: o.commonName }];
  cert.setSubject(subject);
  const signer = o.issuer ? forge.pki.certificateFromPem(o.issuer.certPem) : undefined;
  cert.setIssuer(signer ? signer.subject.attributes : subject);
  cert.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: o.usage !== 'client', clientAuth: o.usage === 'client' },
          ...(o.dnsNames?.length ? [{ name: 'subjectAltName', altNames: o.dnsNames.map((value) => ({ type: 2, value })) }] : []),
        ],
  );
  const signerKey = o.issuer ? (forge.pki.privateKeyFromPem(o.issuer.keyPem) as forge.pki.rsa.PrivateKey) : key;
  cert.sign(signerKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  new X509Certificate(certPem); // parses, or throws here rather than in a handshake
  return { certPem, keyPem };
}
