// Key types the CA accepts and signs with, and the signature algorithm each
// one implies. Keys themselves are Node KeyObjects; signing is Node's crypto.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ASN1_TYPE, OID, children, isUniversal, nullNode, oid, oidOf, parseDer, rawValue, seq, type Asn1 } from './asn1';

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

// Curves by OID, as JWK names them and as Node reports them.
const CURVES: Record<string, { jwk: string; node: string; bytes: number }> = {
  [OID.prime256v1]: { jwk: 'P-256', node: 'prime256v1', bytes: 32 },
  [OID.secp384r1]: { jwk: 'P-384', node: 'secp384r1', bytes: 48 },
  '1.3.132.0.35': { jwk: 'P-521', node: 'secp521r1', bytes: 66 },
};

/**
 * A public key from SubjectPublicKeyInfo DER. RSA and uncompressed P-256/384/521
 * keys go through JWK: with Node 20's OpenSSL 3.0, importing from JWK parameters
 * is ~25x faster than DER decoding for RSA and ~2x for EC, and it tells the key
 * size or curve without asking OpenSSL again. Anything else is DER-decoded.
 */
export function publicKeyFromSpki(spki: Uint8Array): { key: KeyObject; description: KeyDescription } {
  const fast = fromJwkParts(spki);
  if (fast) return fast;
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return { key, description: describeKey(key) };
}

function fromJwkParts(spki: Uint8Array): { key: KeyObject; description: KeyDescription } | undefined {
  let node: Asn1;
  try {
    node = parseDer(spki);
  } catch {
    return undefined;
  }
  const [algorithm, bitString] = children(node);
  const [algOid, params] = children(algorithm);
  const bits = rawValue(bitString);
  if (!isUniversal(bitString, ASN1_TYPE.BITSTRING) || !bits || bits[0] !== 0) return undefined;
  const body = bits.subarray(1);
  const alg = oidOf(algOid);
  if (alg === OID.ecPublicKey) {
    const curve = CURVES[oidOf(params) ?? ''];
    if (!curve || body.length !== 1 + 2 * curve.bytes || body[0] !== 0x04) return undefined;
    const x = body.subarray(1, 1 + curve.bytes).toString('base64url');
    const y = body.subarray(1 + curve.bytes).toString('base64url');
    const key = createPublicKey({ key: { kty: 'EC', crv: curve.jwk, x, y }, format: 'jwk' });
    return { key, description: { type: 'ec', curve: curve.node } };
  }
  if (alg === OID.rsaEncryption) {
    let rsa: Asn1;
    try {
      rsa = parseDer(body);
    } catch {
      return undefined;
    }
    const [n, e] = children(rsa).map(rawValue);
    if (!n || !e || n[0] & 0x80 || e[0] & 0x80) return undefined;
    const modulus = n[0] === 0 ? n.subarray(1) : n;
    const exponent = e[0] === 0 && e.length > 1 ? e.subarray(1) : e;
    if (modulus.length === 0) return undefined;
    const key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') }, format: 'jwk' });
    const bitsLen = (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0]));
    return { key, description: { type: 'rsa', bits: bitsLen } };
  }
  return undefined;
}
