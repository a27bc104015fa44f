// PKCS#10 certificate requests, parsed with node-forge's ASN.1 codec (forge's
// own CSR reader knows only RSA keys; this one takes any SubjectPublicKeyInfo
// and leaves the key to Node's crypto). Parsing never judges: see csr-validator.
import type { KeyObject } from 'node:crypto';
import { fail, ok, type Result } from '@sextant/util';
import { ASN1_CLASS, ASN1_TYPE, OID, children, der, isUniversal, oidOf, parseDer, pemBlocks, rawValue, type Asn1 } from './asn1';
import { refusal, type Refusal } from './errors';
import { publicKeyFromSpki, type KeyDescription } from './keys';

/** Names a CSR asks for, by kind; anything else in the SAN is listed in `other`. */
export interface RequestedNames {
  uris: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emails: string[];
  other: string[];
}

export interface ParsedCsr {
  /** The signed part (CertificationRequestInfo), as DER. */
  info: Buffer;
  subject: Buffer;
  spki: Buffer;
  publicKey: KeyObject;
  key: KeyDescription;
  signatureAlgorithm: string;
  signature: Buffer;
  /** Undefined when the CSR has no SubjectAltName extension request. */
  names: RequestedNames | undefined;
}

/** Larger CSRs are refused before parsing (a workload CSR is ~1 KiB). */
export const MAX_CSR_BYTES = 16 * 1024;

const malformed = (why: string): Result<never, Refusal> => fail(refusal('CSR_MALFORMED_INVALID', `the CSR is malformed: ${why}`));

export function parseCsrPem(pem: string): Result<ParsedCsr, Refusal> {
  if (typeof pem !== 'string' || pem.length === 0) return malformed('it is empty');
  if (pem.length > MAX_CSR_BYTES) return malformed(`it is larger than ${MAX_CSR_BYTES} bytes`);
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1) return malformed(`expected one PEM block, found ${blocks.length}`);
  const [block] = blocks;
  if (block.label !== 'CERTIFICATE REQUEST' && block.label !== 'NEW CERTIFICATE REQUEST') {
    return malformed(`the PEM block is "${block.label}", not "CERTIFICATE REQUEST"`);
  }
  return parseCsrDer(block.der);
}

export function parseCsrDer(bytes: Uint8Array): Result<ParsedCsr, Refusal> {
  let root: Asn1;
  try {
    root = parseDer(bytes);
  } catch (err) {
    return malformed(`not DER (${(err as Error).message})`);
  }
  const [info, sigAlg, sig] = children(root);
  if (!isUniversal(root, ASN1_TYPE.SEQUENCE) || children(root).length !== 3 || !isUniversal(info, ASN1_TYPE.SEQUENCE) || !isUniversal(sig, ASN1_TYPE.BITSTRING)) {
    return malformed('not a PKCS#10 CertificationRequest');
  }
  const [version, subject, spki, attributes] = children(info);
  if (!isUniversal(version, ASN1_TYPE.INTEGER) || rawValue(version)?.toString('hex') !== '00') return malformed('version is not 0 (v1)');
  if (!isUniversal(subject, ASN1_TYPE.SEQUENCE) || !isUniversal(spki, ASN1_TYPE.SEQUENCE)) return malformed('subject or public key missing');
  const signatureAlgorithm = oidOf(children(sigAlg)[0]);
  if (!signatureAlgorithm) return malformed('no signature algorithm');
  const sigBits = rawValue(sig) ?? Buffer.alloc(0);
  if (sigBits.length < 2 || sigBits[0] !== 0) return malformed('signature BIT STRING is empty or has unused bits');

  const spkiDer = der(spki);
  let publicKey: KeyObject;
  let key: KeyDescription;
  try {
    ({ key: publicKey, description: key } = publicKeyFromSpki(spkiDer));
  } catch (err) {
    return malformed(`the public key cannot be read (${(err as Error).message})`);
  }

  let names: RequestedNames | undefined;
  try {
    names = requestedNames(attributes);
  } catch (err) {
    return malformed(`the extension request cannot be read (${(err as Error).message})`);
  }

  return ok({
    info: der(info),
    subject: der(subject),
    spki: spkiDer,
    publicKey,
    key,
    signatureAlgorithm,
    signature: sigBits.subarray(1),
    names,
  });
}

/** Reads the SubjectAltName out of the extensionRequest attribute, if any. */
function requestedNames(attributes: Asn1 | undefined): RequestedNames | undefined {
  if (!attributes) return undefined;
  if (attributes.tagClass !== ASN1_CLASS.CONTEXT_SPECIFIC || attributes.type !== 0) throw new Error('attributes are not [0]');
  let found: RequestedNames | undefined;
  for (const attr of children(attributes)) {
    const [type, values] = children(attr);
    if (oidOf(type) !== OID.extensionRequest) continue;
    for (const extensions of children(values)) {
      for (const ext of children(extensions)) {
        const parts = children(ext);
        if (oidOf(parts[0]) !== OID.subjectAltName) continue;
        const value = rawValue(parts[parts.length - 1]);
        if (!value) throw new Error('SubjectAltName has no value');
        if (found) throw new Error('more than one SubjectAltName extension');
        found = generalNamesOf(parseDer(value));
      }
    }
  }
  return found;
}

const OTHER_NAME_KINDS: Record<number, string> = { 0: 'otherName', 3: 'x400Address', 4: 'directoryName', 5: 'ediPartyName', 8: 'registeredID' };

function generalNamesOf(seq: Asn1): RequestedNames {
  if (!isUniversal(seq, ASN1_TYPE.SEQUENCE)) throw new Error('SubjectAltName is not a SEQUENCE');
  const out: RequestedNames = { uris: [], dnsNames: [], ipAddresses: [], emails: [], other: [] };
  for (const gn of children(seq)) {
    if (gn.tagClass !== ASN1_CLASS.CONTEXT_SPECIFIC) throw new Error('a GeneralName is not context-tagged');
    const raw = typeof gn.value === 'string' ? gn.value : '';
    switch (gn.type) {
      case 1:
        out.emails.push(raw);
        break;
      case 2:
        out.dnsNames.push(raw);
        break;
      case 6:
        out.uris.push(raw);
        break;
      case 7:
        out.ipAddresses.push(formatIp(Buffer.from(raw, 'binary')));
        break;
      default:
        out.other.push(OTHER_NAME_KINDS[gn.type] ?? `[${gn.type}]`);
    }
  }
  return out;
}

function formatIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) return (b.toString('hex').match(/.{4}/g) ?? []).map((g) => g.replace(/^0+(?=.)/, '')).join(':');
  return `<${b.length} bytes>`;
}
