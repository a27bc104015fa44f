export { pemBlocks, parseCertificates, parsePrivateKey, certificateFacts, type CertificateFacts, type PemBlock, type Parsed } from './pem';
export {
  checkSecretObject,
  checkCredentialData,
  formatSecretIssues,
  isSecretDocument,
  CREDENTIAL_SECRET_TYPES,
  OPAQUE_SECRET_TYPE,
  SECRET_KEYS,
  TLS_SECRET_TYPE,
  type CheckedSecret,
  type CheckOptions,
  type CredentialSecretSpec,
  type SecretCheck,
  type SecretIssue,
  type TlsCredential,
} from './secret-check';
export { checkStoredSecret, kubeSecretOf, storedSecretOf, type SecretMeta, type StoredSecret } from './stored-secret';
export {
  CACERT_SUFFIX,
  CREDENTIAL_PREFIX,
  parseCredentialName,
  resolveCredential,
  tlsCertificateSecret,
  validationContextSecret,
  type CredentialLookup,
  type EnvoySecret,
  type Resolved,
} from './resolve';
export { describeSecret, redactStoredSecret, REDACTED, type SecretDescription } from './describe';
