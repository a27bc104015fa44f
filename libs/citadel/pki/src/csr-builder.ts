// Builds PKCS#10 CSRs (any RSA or EC key): what a workload agent sends to
// Citadel. Tests use it to make good and bad requests alike.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { OID, der, derBitString, derSequence, name, octets, oid, seq, set, smallInteger, toPem, tlv } from './asn1';
import { describeKey, signBytes, signatureAlgorithmByOid, spkiDer, type SignatureAlgorithm } from './keys';
import { algorithmIdentifierDer, generalNames, type SubjectAltNames } from './x509-builder';

export interface CsrOptions extends SubjectAltNames {
  /** The workload's private key; the CSR carries its public half. */
  key: KeyObject;
  /** Subject attributes as (oid, value); empty by default (identity lives in the SAN). */
  subject?: readonly (readonly [string, string])[];
  /** Signature algorithm OID; default follows the key (SHA-256 with RSA, ECDSA with the curve's hash). */
  signatureAlgorithm?: string;
}

function defaultAlgorithm(key: KeyObject): SignatureAlgorithm {
  const d = describeKey(key);
  const id = d.type === 'ec' ? (d.curve === 'secp384r1' ? OID.ecdsaWithSHA384 : OID.ecdsaWithSHA256) : OID.sha256WithRSA;
  return signatureAlgorithmByOid(id) as SignatureAlgorithm;
}

/** DER of a CSR. */
export function buildCsrDer(opts: CsrOptions): Buffer {
  const alg = opts.signatureAlgorithm ? signatureAlgorithmByOid(opts.signatureAlgorithm) : defaultAlgorithm(opts.key);
  if (!alg) throw new Error(`unknown signature algorithm ${opts.signatureAlgorithm}`);
  const spki = spkiDer(opts.key);
  const hasNames = [opts.uris, opts.dnsNames, opts.ipAddresses, opts.emails].some((l) => l && l.length > 0);
  const extensions = hasNames ? [seq([oid(OID.subjectAltName), octets(der(generalNames(opts)))])] : [];
  const attributes = extensions.length ? [seq([oid(OID.extensionRequest), set([seq(extensions)])])] : [];
  const info = derSequence([
    der(smallInteger(0)),
    der(name(opts.subject ?? [])),
    spki,
    // [0] IMPLICIT SET OF Attribute
    tlv(0xa0, Buffer.concat(attributes.map(der))),
  ]);
  const signature = signBytes(alg, info, opts.key);
  return derSequence([info, algorithmIdentifierDer(alg), derBitString(signature)]);
}

export function buildCsr(opts: CsrOptions): string {
  return toPem('CERTIFICATE REQUEST', buildCsrDer(opts));
}

/** A fresh workload key pair: EC P-256 by default, or RSA of the given size. */
export function generateWorkloadKey(kind: 'ec-p256' | 'ec-p384' | { rsaBits: number } = 'ec-p256'): KeyObject {
  if (kind === 'ec-p256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (kind === 'ec-p384') return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  return generateKeyPairSync('rsa', { modulusLength: kind.rsaBits }).privateKey;
}
