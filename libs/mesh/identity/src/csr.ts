// A workload's key and CSR. The key is ECDSA P-256 from node:crypto; the
// PKCS#10 request is assembled with node-forge's ASN.1 codec (forge's own
// CSR API signs only with RSA) and signed with node:crypto. The request
// carries an empty subject and exactly one name: the SPIFFE URI, in a
// critical subjectAltName extension, as Citadel requires.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
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

const binary = (b: Buffer) => b.toString('binary');
const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const toDer = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

/** A PEM CSR for `spiffeId`, signed with `key` (ECDSA P-256, SHA-256). */
export function buildWorkloadCsr(key: WorkloadKey, spiffeId: string): string {
  if (!spiffeId.startsWith('spiffe://')) throw new Error(`CSR identity ${JSON.stringify(spiffeId)} is not a spiffe:// URI`);
  const details = key.privateKey.asymmetricKeyDetails;
  if (key.privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') throw new Error('workload keys are ECDSA P-256');
  const generalNames = seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, spiffeId)]);
  const sanExtension = seq([
    oid(OID.subjectAltName),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, binary(toDer(generalNames))),
  ]);
  const extensionRequest = seq([oid(OID.extensionRequest), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [seq([sanExtension])])]);
  const info = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x00'),
    seq([]), // empty subject: the identity is the SAN
    asn1.fromDer(binary(key.publicKeyDer)),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [extensionRequest]),
  ]);
  const infoDer = toDer(info);
  const signature = sign('sha256', infoDer, key.privateKey); // DER-encoded ECDSA signature
  const csr = seq([
    asn1.fromDer(binary(infoDer)),
    seq([oid(OID.ecdsaWithSHA256)]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${binary(signature)}`),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE REQUEST', body: asn1.toDer(csr).getBytes() }, { maxline: 64 });
}
