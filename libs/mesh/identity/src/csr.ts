// A workload's key and CSR. The key is ECDSA P-256 from node:crypto; the
// PKCS#10 request is assembled with the few DER encoders below (forge's CSR
// API signs only with RSA, and loading node-forge cost every proxy about
// 1 MB of heap for these seven tags) and signed with node:crypto. The request
// carries an empty subject and exactly one name: the SPIFFE URI, in a
// critical subjectAltName extension, as Citadel requires.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

const OID = {
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
};

export interface WorkloadKey {
  privateKey: KeyObject;
  /** PKCS#8 PEM, what TLS stacks load. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo DER: what the issued leaf must certify. */
  publicKeyDer: Buffer;
}

/** A fresh ECDSA P-256 key pair. */
export function generateWorkloadKey(): WorkloadKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

/** One DER TLV: tag byte, definite length (short or long form), contents. */
function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  if (n < 0x80) return Buffer.concat([Buffer.from([tag, n]), body]);
  const len: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length, ...len]), body]);
}

/** OBJECT IDENTIFIER: first two arcs as 40 * a + b, every arc base 128 with continuation bits. */
function oid(id: string): Buffer {
  const arcs = id.split('.').map(Number);
  const out: number[] = [];
  for (const arc of [40 * arcs[0]! + arcs[1]!, ...arcs.slice(2)]) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}

const seq = (items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (items: Buffer[]) => tlv(0x31, Buffer.concat(items));

/** PEM with 64-column base64 lines and CRLF line ends (as node-forge wrote them before). */
function pem(type: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${type}-----`, ...lines, `-----END ${type}-----`, ''].join('\r\n');
}

/** A PEM CSR for `spiffeId`, signed with `key` (ECDSA P-256, SHA-256). */
export function buildWorkloadCsr(key: WorkloadKey, spiffeId: string): string {
  if (!spiffeId.startsWith('spiffe://')) throw new Error(`CSR identity ${JSON.stringify(spiffeId)} is not a spiffe:// URI`);
  const details = key.privateKey.asymmetricKeyDetails;
  if (key.privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') throw new Error('workload keys are ECDSA P-256');
  const generalNames = seq([tlv(0x86, Buffer.from(spiffeId, 'utf8'))]); // [6] uniformResourceIdentifier
  const sanExtension = seq([oid(OID.subjectAltName), tlv(0x01, Buffer.from([0xff])), tlv(0x04, generalNames)]);
  const extensionRequest = seq([oid(OID.extensionRequest), set([seq([sanExtension])])]);
  const infoDer = seq([
    tlv(0x02, Buffer.from([0])), // version 1 (0)
    seq([]), // empty subject: the identity is the SAN
    key.publicKeyDer,
    tlv(0xa0, extensionRequest), // [0] attributes
  ]);
  const signature = sign('sha256', infoDer, key.privateKey); // DER-encoded ECDSA signature
  const csr = seq([infoDer, seq([oid(OID.ecdsaWithSHA256)]), tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]);
  return pem('CERTIFICATE REQUEST', csr);
}
