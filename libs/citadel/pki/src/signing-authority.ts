// A loaded CA: the key and certificate that sign, the chain up to the root,
// and everything derived from them once (issuer name, key identifier, the
// extensions every leaf carries). Loading checks the material and fails with
// a code and a message that names the file and the problem.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ASN1_CLASS, ASN1_TYPE, OID, children, der, oidOf, parseDer, rawValue } from './asn1';
import { PkiError } from './errors';
import { subjectText } from './chain-verifier';
import { describeKey, keyLabel, signatureAlgorithmFor, type SignatureAlgorithm } from './keys';
import { EXT, KEY_USAGE } from './x509-builder';

export interface CaMaterial {
  /** PEM private key of the signing certificate (PKCS#8, PKCS#1 or SEC1; unencrypted). */
  key: string;
  /** PEM signing certificate (the root itself for a self-signed CA). */
  cert: string;
  /** PEM certificates between the signing certificate and the root, nearest first. */
  intermediates: string[];
  /** PEM root certificate. */
  root: string;
}

/** Where each part came from, for error messages (file paths). */
export interface CaMaterialSources {
  key: string;
  cert: string;
  intermediates: string;
  root: string;
}

const DEFAULT_SOURCES: CaMaterialSources = { key: 'CA key', cert: 'CA certificate', intermediates: 'CA chain', root: 'root certificate' };

export class SigningAuthority {
  readonly key: KeyObject;
  readonly cert: X509Certificate;
  readonly root: X509Certificate;
  /** PEMs from the signing certificate to the root, root last (one entry when self-signed). */
  readonly chain: readonly string[];
  readonly rootPem: string;
  readonly algorithm: SignatureAlgorithm;
  /** The earliest notAfter in the chain: no leaf may outlive it. */
  readonly notAfter: Date;
  /** DER of the signing certificate's subject: every leaf's issuer. */
  readonly issuerName: Buffer;
  /** SubjectKeyIdentifier of the signing certificate (leaves name it as their authority key). */
  readonly keyId: Buffer | undefined;
  /** Extensions every workload certificate carries (everything but the SAN). */
  readonly leafExtensions: readonly Buffer[];

  private constructor(init: {
    key: KeyObject;
    cert: X509Certificate;
    root: X509Certificate;
    chain: string[];
    algorithm: SignatureAlgorithm;
    notAfter: Date;
    issuerName: Buffer;
    keyId: Buffer | undefined;
  }) {
    this.key = init.key;
    this.cert = init.cert;
    this.root = init.root;
    this.chain = init.chain;
    this.rootPem = init.chain[init.chain.length - 1];
    this.algorithm = init.algorithm;
    this.notAfter = init.notAfter;
    this.issuerName = init.issuerName;
    this.keyId = init.keyId;
    this.leafExtensions = [
      EXT.basicConstraints(false),
      EXT.keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment]),
      EXT.extKeyUsage([OID.serverAuth, OID.clientAuth]),
      ...(init.keyId ? [EXT.authorityKeyIdentifier(init.keyId)] : []),
    ];
  }

  /** True when the signing certificate is the root (no intermediate). */
  get selfSigned(): boolean {
    return this.chain.length === 1;
  }

  /** Checks the material and builds the authority; throws PkiError naming the source of any problem. */
  static load(material: CaMaterial, sources: Partial<CaMaterialSources> = {}, now = new Date()): SigningAuthority {
    const src = { ...DEFAULT_SOURCES, ...sources };
    const key = readKey(material.key, src.key);
    const cert = readCert(material.cert, src.cert);
    const root = readCert(material.root, src.root);
    const intermediates = material.intermediates.map((pem, i) => ({ x: readCert(pem, `${src.intermediates} (certificate ${i + 1})`), label: `${src.intermediates} (certificate ${i + 1})` }));

    if (!cert.checkPrivateKey(key)) {
      throw new PkiError('CA_KEY_MISMATCH', `${src.key} does not belong to ${src.cert} (subject ${subjectText(cert)}); plug in the key that was certified`);
    }
    const algorithm = signatureAlgorithmFor(key);
    if (!algorithm) throw new PkiError('CA_KEY_UNSUPPORTED', `${src.key} is ${keyLabel(describeKey(key))}; the CA signs with RSA (>= 2048 bits) or EC P-256/P-384 keys`);

    // A chain file may repeat the signing certificate or the root: both are dropped from the middle.
    const middle = intermediates.filter((c) => c.x.fingerprint256 !== root.fingerprint256 && c.x.fingerprint256 !== cert.fingerprint256);
    const path = cert.fingerprint256 === root.fingerprint256 ? [{ x: cert, label: src.cert }] : [{ x: cert, label: src.cert }, ...middle, { x: root, label: src.root }];
    const links = path.map((p) => p.x);
    const labels = path.map((p) => p.label);
    for (let i = 0; i < links.length; i++) {
      checkCaCert(links[i], labels[i], now);
      const issuer = links[i + 1] ?? links[i];
      if (!links[i].checkIssued(issuer) || !links[i].verify(issuer.publicKey)) {
        const what = i + 1 < links.length ? `is not signed by ${labels[i + 1]}` : 'is not self-signed, so it cannot be a root';
        throw new PkiError('CA_CHAIN_BROKEN', `${labels[i]} (subject ${subjectText(links[i])}) ${what}`);
      }
    }
    const notAfter = new Date(Math.min(...links.map((c) => new Date(c.validTo).getTime())));
    const { subject, keyId } = subjectAndKeyId(cert.raw);
    return new SigningAuthority({
      key,
      cert,
      root,
      chain: links.map((c) => c.toString()),
      algorithm,
      notAfter,
      issuerName: subject,
      keyId,
    });
  }
}

function readKey(pem: string, label: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    const msg = (err as Error).message;
    const hint = /passphrase|encrypted/i.test(msg) ? 'it is encrypted; give an unencrypted key' : `it is not a PEM private key (${msg})`;
    throw new PkiError('CA_FILE_UNPARSABLE', `${label} cannot be read: ${hint}`, { cause: err });
  }
}

function readCert(pem: string, label: string): X509Certificate {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new PkiError('CA_FILE_UNPARSABLE', `${label} holds no PEM "CERTIFICATE" block`);
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new PkiError('CA_FILE_UNPARSABLE', `${label} is not a readable X.509 certificate (${(err as Error).message})`, { cause: err });
  }
}

function checkCaCert(cert: X509Certificate, label: string, now: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) throw new PkiError('CA_CERT_EXPIRED', `${label} is not valid yet: it starts ${from.toISOString()} (now ${now.toISOString()})`);
  if (now > to) throw new PkiError('CA_CERT_EXPIRED', `${label} expired ${to.toISOString()} (now ${now.toISOString()}); plug in a renewed CA`);
  if (!cert.ca) throw new PkiError('CA_NOT_A_CA', `${label} (subject ${subjectText(cert)}) lacks basicConstraints CA:TRUE and cannot sign certificates`);
}

/** The subject Name DER and the SubjectKeyIdentifier (if present) of a certificate. */
function subjectAndKeyId(certDer: Uint8Array): { subject: Buffer; keyId: Buffer | undefined } {
  const [tbs] = children(parseDer(certDer));
  const fields = children(tbs);
  const start = fields[0]?.tagClass === ASN1_CLASS.CONTEXT_SPECIFIC ? 1 : 0; // explicit [0] version
  const subject = der(fields[start + 4]);
  let keyId: Buffer | undefined;
  const extensions = fields.find((f) => f.tagClass === ASN1_CLASS.CONTEXT_SPECIFIC && f.type === 3);
  for (const ext of children(children(extensions)[0])) {
    const parts = children(ext);
    if (oidOf(parts[0]) !== OID.subjectKeyIdentifier) continue;
    const inner = parseDer(rawValue(parts[parts.length - 1]) ?? Buffer.alloc(0));
    if (inner.type === ASN1_TYPE.OCTETSTRING) keyId = rawValue(inner);
  }
  return { subject, keyId };
}
