// X.509 v3 certificates from parts. Fixed parts (issuer name, algorithm,
// extensions that never change for one CA) are encoded once by the caller and
// passed as DER; only what differs per certificate is encoded per call. The
// TBSCertificate is signed with Node's crypto.
import { createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  OID,
  bool,
  der,
  derBitString,
  derExplicit,
  derSequence,
  explicit,
  extension,
  implicitPrimitive,
  keyUsageBits,
  oid,
  octets,
  parseDer,
  rawValue,
  children,
  seq,
  smallInteger,
  time,
  unsignedInteger,
  type Asn1,
} from './asn1';
import { algorithmIdentifier, signBytes, type SignatureAlgorithm } from './keys';

export interface Signer {
  key: KeyObject;
  algorithm: SignatureAlgorithm;
}

export interface TbsParts {
  serial: Uint8Array;
  /** DER of the issuer Name. */
  issuer: Uint8Array;
  /** DER of the subject Name (an empty SEQUENCE for workload certificates). */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo, copied as is (RSA or EC). */
  spki: Uint8Array;
  /** Each an encoded Extension. */
  extensions: readonly Uint8Array[];
}

const VERSION_3 = der(explicit(0, smallInteger(2)));

const algorithmIdCache = new Map<string, Buffer>();
export function algorithmIdentifierDer(alg: SignatureAlgorithm): Buffer {
  let out = algorithmIdCache.get(alg.oid);
  if (!out) algorithmIdCache.set(alg.oid, (out = der(algorithmIdentifier(alg))));
  return out;
}

/** Encodes the TBSCertificate, signs it, and returns the Certificate DER. */
export function buildCertificate(parts: TbsParts, signer: Signer): Buffer {
  const algId = algorithmIdentifierDer(signer.algorithm);
  const validity = der(seq([time(parts.notBefore), time(parts.notAfter)]));
  const tbs = derSequence([
    VERSION_3,
    der(unsignedInteger(parts.serial)),
    algId,
    parts.issuer,
    validity,
    parts.subject,
    parts.spki,
    derExplicit(3, derSequence(parts.extensions)),
  ]);
  const signature = signBytes(signer.algorithm, tbs, signer.key);
  return derSequence([tbs, algId, derBitString(signature)]);
}

/** 16 random bytes, positive and without a leading zero (RFC 5280: at most 20 octets, non-negative). */
export function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x40;
  return b;
}

/** Key identifier per RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spki: Uint8Array): Buffer {
  const [, bitString] = children(parseDer(spki));
  const raw = rawValue(bitString) ?? Buffer.alloc(0);
  return createHash('sha1').update(raw.subarray(1)).digest();
}

export interface SubjectAltNames {
  uris?: readonly string[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  emails?: readonly string[];
}

/** GeneralNames for a SubjectAltName extension (IA5 strings and raw IP bytes). */
export function generalNames(names: SubjectAltNames): Asn1 {
  const out: Asn1[] = [];
  for (const e of names.emails ?? []) out.push(implicitPrimitive(1, e));
  for (const d of names.dnsNames ?? []) out.push(implicitPrimitive(2, d));
  for (const u of names.uris ?? []) out.push(implicitPrimitive(6, u));
  for (const ip of names.ipAddresses ?? []) out.push(implicitPrimitive(7, ipBytes(ip).toString('binary')));
  return seq(out);
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  return Buffer.from(ip.split('.').map(Number));
}

export const EXT = {
  /** SAN; critical when the subject is empty (RFC 5280 4.2.1.6). */
  subjectAltName: (names: SubjectAltNames, critical: boolean): Buffer => der(extension(OID.subjectAltName, critical, generalNames(names))),
  basicConstraints: (ca: boolean, pathLen?: number): Buffer => {
    const body: Asn1[] = [];
    if (ca) body.push(bool(true));
    if (ca && pathLen !== undefined) body.push(smallInteger(pathLen));
    return der(extension(OID.basicConstraints, true, seq(body)));
  },
  keyUsage: (bitNumbers: readonly number[]): Buffer => der(extension(OID.keyUsage, true, keyUsageBits(bitNumbers))),
  extKeyUsage: (oids: readonly string[]): Buffer => der(extension(OID.extKeyUsage, false, seq(oids.map(oid)))),
  subjectKeyIdentifier: (keyId: Uint8Array): Buffer => der(extension(OID.subjectKeyIdentifier, false, octets(keyId))),
  authorityKeyIdentifier: (keyId: Uint8Array): Buffer =>
    der(extension(OID.authorityKeyIdentifier, false, seq([implicitPrimitive(0, Buffer.from(keyId).toString('binary'))]))),
};

export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** An empty Name (workload certificates carry their identity in the SAN only). */
export const EMPTY_NAME = der(seq([]));
