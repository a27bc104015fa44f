// @sextant/pki: Citadel's pure PKI. Keys and signatures with Node's crypto,
// ASN.1 with node-forge; no network, no logging.
export { PKI_ERRORS, PkiError, refusal, type PkiErrorCode, type Refusal } from './errors';
export { checkIdentity, formatSpiffeId, parseSpiffeId, type WorkloadIdentity } from './spiffe-id';
export { describeKey, keyLabel, type CaKeyType, type KeyDescription } from './keys';
export { parseCsrPem, parseCsrDer, MAX_CSR_BYTES, type ParsedCsr, type RequestedNames } from './csr-parser';
export {
  validateCsr,
  checkCsrKey,
  checkCsrSignature,
  checkCsrIdentity,
  DEFAULT_CSR_POLICY,
  type AcceptedCsr,
  type CsrPolicy,
} from './csr-validator';
export { buildCsr, buildCsrDer, generateWorkloadKey, type CsrOptions } from './csr-builder';
export { issueCertificate, resolveLifetime, DEFAULT_LIFETIME, type IssuedCertificate, type Lifetime, type LifetimePolicy } from './cert-issuer';
export { SigningAuthority, type CaMaterial, type CaMaterialSources } from './signing-authority';
export { createSelfSignedRoot, createIntermediateCa, BACKDATE_MS, type CaKeyPair, type NewCaOptions } from './root-ca';
export { loadPluggedCa, PLUGGED_CA_FILES } from './plugged-ca';
export { CaStore, CA_DIR, ROOT_CERT_FILE, ROOT_KEY_FILE, type CaMode, type CaStoreEvent, type CaStoreOptions } from './ca-store';
export {
  activateRoot,
  anchorOf,
  bundleDocument,
  emptyBundle,
  nextBundleChange,
  pruneBundle,
  TRUST_BUNDLE_KEY,
  TRUST_BUNDLE_SCHEMA,
  type TrustAnchor,
  type TrustBundle,
  type TrustBundleDocument,
} from './trust-bundle';
export { verifyChain, splitPem, subjectText, uriSans, type VerifiedChain } from './chain-verifier';
