// Thin helpers over node-forge's ASN.1 codec: forge works on binary strings,
// the rest of the lib on Buffers. Building and parsing stay with forge; keys,
// signatures and hashes stay with Node's crypto.
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  organizationName: '2.5.4.10',
  commonName: '2.5.4.3',
} as const;

export const toBinary = (buf: Uint8Array): string => Buffer.from(buf).toString('binary');
export const fromBinary = (bytes: string): Buffer => Buffer.from(bytes, 'binary');

/** DER bytes of a node. */
export function der(node: Asn1): Buffer {
  return fromBinary(asn1.toDer(node).getBytes());
}

/**
 * Parses DER strictly: every byte used, BIT STRING contents kept as raw bytes
 * so re-encoding a parsed node gives back the bytes that were signed.
 */
export function parseDer(bytes: Uint8Array): Asn1 {
  const options = { strict: true, parseAllBytes: true, decodeBitStrings: false };
  return asn1.fromDer(toBinary(bytes), options as unknown as boolean);
}

export const seq = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SET, true, items);
export const oid = (id: string): Asn1 => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
export const nullNode = (): Asn1 => asn1.create(U, asn1.Type.NULL, false, '');
export const bool = (v: boolean): Asn1 => asn1.create(U, asn1.Type.BOOLEAN, false, v ? '\xff' : '\x00');
export const utf8 = (text: string): Asn1 => asn1.create(U, asn1.Type.UTF8, false, forge.util.encodeUtf8(text));
export const octets = (bytes: Uint8Array): Asn1 => asn1.create(U, asn1.Type.OCTETSTRING, false, toBinary(bytes));
/** A BIT STRING with no unused bits. */
export const bits = (bytes: Uint8Array): Asn1 => asn1.create(U, asn1.Type.BITSTRING, false, '\x00' + toBinary(bytes));
/** Explicit [n] wrapper around one node. */
export const explicit = (tag: number, node: Asn1): Asn1 => asn1.create(CTX, tag, true, [node]);
/** Implicit primitive [n] with raw contents (e.g. a GeneralName). */
export const implicitPrimitive = (tag: number, bytes: string): Asn1 => asn1.create(CTX, tag, false, bytes);

/** A non-negative INTEGER from big-endian magnitude bytes (adds a 0 byte when the top bit is set). */
export function unsignedInteger(bytes: Uint8Array): Asn1 {
  let b = Buffer.from(bytes);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1] & 0x80) === 0) i++;
  b = b.subarray(i);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return asn1.create(U, asn1.Type.INTEGER, false, toBinary(b));
}

export const smallInteger = (n: number): Asn1 => asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. Seconds precision. */
export function time(date: Date): Asn1 {
  const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return d.getUTCFullYear() < 2050
    ? asn1.create(U, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(U, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

/** An X.501 Name from (oid, value) pairs, one attribute per RDN. */
export function name(attrs: readonly (readonly [string, string])[]): Asn1 {
  return seq(attrs.map(([id, value]) => set([seq([oid(id), utf8(value)])])));
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  const parts = [oid(id)];
  if (critical) parts.push(bool(true));
  parts.push(asn1.create(U, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()));
  return seq(parts);
}

/** KeyUsage BIT STRING from bit numbers (0 = digitalSignature, 2 = keyEncipherment, 5 = keyCertSign, 6 = cRLSign). */
export function keyUsageBits(bitNumbers: readonly number[]): Asn1 {
  let value = 0;
  for (const n of bitNumbers) value |= 0x80 >> n;
  let unused = 0;
  while (unused < 8 && !(value & (1 << unused))) unused++;
  return asn1.create(U, asn1.Type.BITSTRING, false, String.fromCharCode(unused, value));
}

export function isUniversal(node: Asn1 | undefined, type: number): node is Asn1 {
  return !!node && node.tagClass === U && node.type === type;
}

export function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

export function oidOf(node: Asn1 | undefined): string | undefined {
  if (!isUniversal(node, asn1.Type.OID) || typeof node.value !== 'string') return undefined;
  return asn1.derToOid(node.value);
}

export function rawValue(node: Asn1 | undefined): Buffer | undefined {
  return node && typeof node.value === 'string' ? fromBinary(node.value) : undefined;
}

export const ASN1_TYPE = asn1.Type;
export const ASN1_CLASS = asn1.Class;

/** PEM armour for DER bytes. */
export function toPem(label: string, derBytes: Uint8Array): string {
  const b64 = Buffer.from(derBytes).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface PemBlock {
  label: string;
  der: Buffer;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in text, in order. Text outside blocks is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const body = m[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) continue;
    out.push({ label: m[1], der: Buffer.from(body, 'base64') });
  }
  return out;
}

/** One DER TLV from a tag byte and already-encoded contents (definite length). */
export function tlv(tag: number, contents: Uint8Array): Buffer {
  const n = contents.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else if (n < 0x100) header = Buffer.from([tag, 0x81, n]);
  else if (n < 0x10000) header = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  else header = Buffer.from([tag, 0x83, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([header, contents]);
}

/** SEQUENCE of already-encoded DER parts: lets fixed parts be encoded once and reused. */
export const derSequence = (parts: readonly Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(parts));
/** BIT STRING (no unused bits) around raw bytes. */
export const derBitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
/** Explicit context tag [n] around one encoded element. */
export const derExplicit = (tag: number, inner: Uint8Array): Buffer => tlv(0xa0 | tag, inner);
