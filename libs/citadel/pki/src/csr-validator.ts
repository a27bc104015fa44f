// Pure checks on a parsed CSR against the identity the caller proved: the
// algorithm and key are acceptable, the signature verifies, and the only name
// requested is the caller's SPIFFE ID. The first failed check is the answer,
// with a stable code and a reason a person can act on.
import { verify } from 'node:crypto';
import { fail, ok, type Result } from '@sextant/util';
import { refusal, type Refusal } from './errors';
import { parseCsrPem, type ParsedCsr } from './csr-parser';
import { keyLabel, keyTypeOfAlgorithm, signatureAlgorithmByOid } from './keys';

export interface CsrPolicy {
  /** Smallest RSA modulus accepted. Default 2048. */
  minRsaBits: number;
  /** Largest RSA modulus accepted (bounds verification cost). Default 8192. */
  maxRsaBits: number;
  /** EC curves accepted, as Node names them. Default P-256 and P-384. */
  curves: readonly string[];
}

export const DEFAULT_CSR_POLICY: CsrPolicy = { minRsaBits: 2048, maxRsaBits: 8192, curves: ['prime256v1', 'secp384r1'] };

/** A CSR that passed every check: what the issuer needs from it. */
export interface AcceptedCsr {
  spki: Buffer;
  spiffeId: string;
  keyLabel: string;
}

const refuse = (code: Refusal['code'], reason: string): Result<never, Refusal> => fail(refusal(code, reason));

export function checkCsrKey(csr: ParsedCsr, policy: CsrPolicy = DEFAULT_CSR_POLICY): Result<true, Refusal> {
  const { key } = csr;
  if (key.type === 'rsa') {
    const bits = key.bits ?? 0;
    if (bits < policy.minRsaBits) return refuse('CSR_KEY_WEAK_INVALID', `the CSR key is RSA ${bits}; use at least RSA ${policy.minRsaBits} (or EC P-256)`);
    if (bits > policy.maxRsaBits) return refuse('CSR_KEY_UNSUPPORTED_INVALID', `the CSR key is RSA ${bits}; at most RSA ${policy.maxRsaBits} is accepted`);
    return ok(true);
  }
  if (key.type === 'ec') {
    if (!policy.curves.includes(key.curve ?? '')) {
      return refuse('CSR_KEY_UNSUPPORTED_INVALID', `the CSR key is on curve ${key.curve ?? 'unknown'}; use P-256 or P-384`);
    }
    return ok(true);
  }
  return refuse('CSR_KEY_UNSUPPORTED_INVALID', `the CSR key type ${key.type} is not accepted; use RSA (>= ${policy.minRsaBits} bits) or EC P-256`);
}

export function checkCsrSignature(csr: ParsedCsr): Result<true, Refusal> {
  const alg = signatureAlgorithmByOid(csr.signatureAlgorithm);
  if (!alg) return refuse('CSR_ALGORITHM_INVALID', `the CSR is signed with algorithm ${csr.signatureAlgorithm}; sign it with SHA-256 and RSA or ECDSA`);
  if (keyTypeOfAlgorithm(alg) !== csr.key.type) {
    return refuse('CSR_ALGORITHM_INVALID', `the CSR signature algorithm ${alg.name} does not fit its ${keyLabel(csr.key)} key`);
  }
  let valid = false;
  try {
    valid = verify(alg.hash, csr.info, csr.publicKey, csr.signature);
  } catch {
    valid = false;
  }
  return valid ? ok(true) : refuse('CSR_SIGNATURE_INVALID', 'the CSR signature does not verify with its own public key; it was altered or signed with another key');
}

/** Exactly one requested name, a URI, equal to the caller's SPIFFE ID. */
export function checkCsrIdentity(csr: ParsedCsr, callerSpiffeId: string): Result<string, Refusal> {
  const names = csr.names;
  if (!names || names.uris.length === 0) {
    return refuse('CSR_SAN_MISSING_INVALID', `the CSR requests no URI SAN; put exactly ${callerSpiffeId} in its subjectAltName`);
  }
  const extra = [
    ...names.dnsNames.map((n) => `DNS:${n}`),
    ...names.ipAddresses.map((n) => `IP:${n}`),
    ...names.emails.map((n) => `email:${n}`),
    ...names.other,
  ];
  if (extra.length > 0) {
    return refuse('CSR_EXTRA_SAN_DENIED', `the CSR requests names besides the workload identity (${extra.join(', ')}); only ${callerSpiffeId} may be requested`);
  }
  const wrong = names.uris.filter((u) => u !== callerSpiffeId);
  if (wrong.length > 0) {
    if (names.uris.length > 1) {
      return refuse('CSR_EXTRA_SAN_DENIED', `the CSR requests ${names.uris.length} URIs (${names.uris.join(', ')}); only ${callerSpiffeId} may be requested`);
    }
    return refuse('CSR_IDENTITY_DENIED', `the CSR requests ${wrong[0]} but the caller is ${callerSpiffeId}`);
  }
  if (names.uris.length > 1) return refuse('CSR_EXTRA_SAN_DENIED', `the CSR repeats ${callerSpiffeId}; request it once`);
  return ok(callerSpiffeId);
}

/** Every check in order: parse, key, signature, identity. */
export function validateCsr(pem: string, callerSpiffeId: string, policy: CsrPolicy = DEFAULT_CSR_POLICY): Result<AcceptedCsr, Refusal> {
  const parsed = parseCsrPem(pem);
  if (!parsed.ok) return parsed;
  const csr = parsed.value;
  for (const check of [checkCsrKey(csr, policy), checkCsrSignature(csr), checkCsrIdentity(csr, callerSpiffeId)]) {
    if (!check.ok) return check;
  }
  return ok({ spki: csr.spki, spiffeId: callerSpiffeId, keyLabel: keyLabel(csr.key) });
}
