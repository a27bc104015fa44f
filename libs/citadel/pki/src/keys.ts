// Key types the CA accepts and signs with, and the signature algorithm each
// one implies. Keys themselves are Node KeyObjects; signing is Node's crypto.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { OID, nullNode, oid, seq, type Asn1 } from './asn1';

export type CaKeyType = 'ecdsa-p256' | 'rsa-2048';

export interface KeyDescription {
  /** 'rsa' or 'ec' (anything else is unsupported). */
  type: string;
  /** RSA modulus bits. */
  bits?: number;
  /** EC curve as Node names it: prime256v1, secp384r1, ... */
  curve?: string;
}

export function describeKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  return { type: key.asymmetricKeyType ?? 'unknown', bits: details.modulusLength, curve: details.namedCurve };
}

export function keyLabel(d: KeyDescription): string {
  if (d.type === 'rsa') return `RSA ${d.bits ?? '?'}`;
  if (d.type === 'ec') return `EC ${d.curve ?? '?'}`;
  return d.type;
}

export function generateCaKey(type: CaKeyType): KeyObject {
  const pair =
    type === 'rsa-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return pair.privateKey;
}

/** A signature algorithm: the hash for Node's crypto.sign and the AlgorithmIdentifier to write. */
export interface SignatureAlgorithm {
  name: string;
  hash: 'sha256' | 'sha384' | 'sha512';
  oid: string;
}

const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  [OID.sha256WithRSA]: { name: 'sha256WithRSAEncryption', hash: 'sha256', oid: OID.sha256WithRSA },
  [OID.sha384WithRSA]: { name: 'sha384WithRSAEncryption', hash: 'sha384', oid: OID.sha384WithRSA },
  [OID.sha512WithRSA]: { name: 'sha512WithRSAEncryption', hash: 'sha512', oid: OID.sha512WithRSA },
  [OID.ecdsaWithSHA256]: { name: 'ecdsa-with-SHA256', hash: 'sha256', oid: OID.ecdsaWithSHA256 },
  [OID.ecdsaWithSHA384]: { name: 'ecdsa-with-SHA384', hash: 'sha384', oid: OID.ecdsaWithSHA384 },
  [OID.ecdsaWithSHA512]: { name: 'ecdsa-with-SHA512', hash: 'sha512', oid: OID.ecdsaWithSHA512 },
};

export function signatureAlgorithmByOid(id: string): SignatureAlgorithm | undefined {
  return SIGNATURE_ALGORITHMS[id];
}

/** The key type a signature algorithm needs. */
export function keyTypeOfAlgorithm(alg: SignatureAlgorithm): 'rsa' | 'ec' {
  return alg.oid.startsWith('1.2.840.10045.') ? 'ec' : 'rsa';
}

/** The algorithm a CA key signs with, or undefined when the key cannot be a CA key here. */
export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm | undefined {
  const d = describeKey(key);
  if (d.type === 'rsa' && (d.bits ?? 0) >= 2048) return SIGNATURE_ALGORITHMS[OID.sha256WithRSA];
  if (d.type === 'ec' && d.curve === 'prime256v1') return SIGNATURE_ALGORITHMS[OID.ecdsaWithSHA256];
  if (d.type === 'ec' && d.curve === 'secp384r1') return SIGNATURE_ALGORITHMS[OID.ecdsaWithSHA384];
  return undefined;
}

/** AlgorithmIdentifier: RSA algorithms carry an explicit NULL parameter, ECDSA ones none (RFC 5758). */
export function algorithmIdentifier(alg: SignatureAlgorithm): Asn1 {
  return keyTypeOfAlgorithm(alg) === 'rsa' ? seq([oid(alg.oid), nullNode()]) : seq([oid(alg.oid)]);
}

/** Signs bytes; ECDSA signatures come out DER-encoded, as X.509 wants them. */
export function signBytes(alg: SignatureAlgorithm, data: Uint8Array, key: KeyObject): Buffer {
  return sign(alg.hash, data, key);
}

/** SubjectPublicKeyInfo DER of a key (private or public). */
export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}
