// New CA certificates: a self-signed root (created at first start) and
// intermediates (signed by another authority; tests and plugged-in setups).
import { createPublicKey } from 'node:crypto';
import { OID, der, name, toPem } from './asn1';
import { generateCaKey, signatureAlgorithmFor, spkiDer, type CaKeyType } from './keys';
import type { SigningAuthority } from './signing-authority';
import { EXT, KEY_USAGE, buildCertificate, keyIdentifier, randomSerial } from './x509-builder';

export interface NewCaOptions {
  /** Default ecdsa-p256: signing is ~10x faster than RSA 2048 and the keys are smaller. */
  keyType?: CaKeyType;
  ttlMs: number;
  /** Subject O=, usually the trust domain. */
  organization: string;
  /** Subject CN=; give each root generation its own so rotated roots are told apart. */
  commonName: string;
  /** basicConstraints pathLenConstraint; none by default. */
  pathLen?: number;
  now?: Date;
}

export interface CaKeyPair {
  keyPem: string;
  certPem: string;
}

/** Certificates start this far in the past, so a peer whose clock is slightly behind accepts them. */
export const BACKDATE_MS = 60_000;

function caExtensions(spki: Buffer, pathLen: number | undefined, issuerKeyId: Buffer | undefined): Buffer[] {
  return [
    EXT.basicConstraints(true, pathLen),
    EXT.keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
    EXT.subjectKeyIdentifier(keyIdentifier(spki)),
    ...(issuerKeyId ? [EXT.authorityKeyIdentifier(issuerKeyId)] : []),
  ];
}

export function createSelfSignedRoot(opts: NewCaOptions): CaKeyPair {
  const now = opts.now ?? new Date();
  const key = generateCaKey(opts.keyType ?? 'ecdsa-p256');
  const spki = spkiDer(key);
  const subject = der(name([[OID.organizationName, opts.organization], [OID.commonName, opts.commonName]]));
  const certDer = buildCertificate(
    {
      serial: randomSerial(),
      issuer: subject,
      subject,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + opts.ttlMs),
      spki,
      extensions: caExtensions(spki, opts.pathLen, undefined),
    },
    { key, algorithm: signatureAlgorithmFor(key)! },
  );
  return { keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: toPem('CERTIFICATE', certDer) };
}

/** An intermediate CA signed by `parent`; it never outlives the parent's chain. */
export function createIntermediateCa(parent: SigningAuthority, opts: NewCaOptions): CaKeyPair {
  const now = opts.now ?? new Date();
  const key = generateCaKey(opts.keyType ?? 'ecdsa-p256');
  const spki = spkiDer(createPublicKey(key));
  const notAfter = new Date(Math.min(now.getTime() + opts.ttlMs, parent.notAfter.getTime()));
  const certDer = buildCertificate(
    {
      serial: randomSerial(),
      issuer: parent.issuerName,
      subject: der(name([[OID.organizationName, opts.organization], [OID.commonName, opts.commonName]])),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      spki,
      extensions: caExtensions(spki, opts.pathLen, parent.keyId),
    },
    { key: parent.key, algorithm: parent.algorithm },
  );
  return { keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: toPem('CERTIFICATE', certDer) };
}
