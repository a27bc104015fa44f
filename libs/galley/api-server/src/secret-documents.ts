// Core v1 Secrets holding gateway TLS credentials (Istio's `credentialName`),
// stored next to Istio's kinds so Pilot can serve them over SDS. Checked
// strictly by @sextant/credentials; errors carry the file, the document, the
// Secret and the field (`data.tls.key`). What Galley shows of a Secret (get,
// list, watch, history) is redacted: type, keys and certificate facts only.
import { checkSecretObject, checkStoredSecret, isSecretDocument, redactStoredSecret, storedSecretOf, type SecretCheck, type SecretIssue } from '@sextant/credentials';
import type { KindInfo, Resource } from '@sextant/config-model';
import type { DecodedDocument, IssueCode, ValidatedDocument, ValidationIssue } from '@sextant/validation';
import { ConfigInvalidError } from './errors';

/** The Secret kind as the kind resolvers see it (core group, v1). */
export const SECRET_KIND: KindInfo = {
  group: '',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  shortNames: [],
  versions: ['v1'],
  storageVersion: 'v1',
  namespaced: true,
};

export { isSecretDocument };

function codeOf(issue: SecretIssue): IssueCode {
  if (issue.path === 'apiVersion') return 'UNSUPPORTED_VERSION';
  if (issue.path === 'type') return 'UNSUPPORTED_VALUE';
  if (issue.path === 'metadata.name' || issue.path === 'metadata.namespace') return 'INVALID_NAME';
  if (issue.path.startsWith('metadata')) return 'INVALID_METADATA';
  if (!issue.path.includes('.') && issue.path !== 'data' && issue.path !== '') return 'UNKNOWN_FIELD';
  return 'INVALID_VALUE';
}

function issuesOf(check: SecretCheck, source: { file: string; index?: number }): ValidationIssue[] {
  return check.errors.map((e) => ({
    code: codeOf(e),
    severity: 'error',
    file: source.file,
    ...(source.index !== undefined ? { index: source.index } : {}),
    kind: 'Secret',
    ...(check.namespace ? { namespace: check.namespace } : {}),
    ...(check.name ? { name: check.name } : {}),
    path: e.path,
    reason: e.reason,
  }));
}

/** Checks the Secret documents of a manifest. */
export function validateSecretDocuments(docs: readonly DecodedDocument[], defaultNamespace?: string): { resources: ValidatedDocument[]; errors: ValidationIssue[] } {
  const resources: ValidatedDocument[] = [];
  const errors: ValidationIssue[] = [];
  for (const d of docs) {
    const check = checkSecretObject(d.value, { defaultNamespace });
    if (check.secret) resources.push({ file: d.file, index: d.index, resource: storedSecretOf(check.secret) as unknown as ValidatedDocument['resource'] });
    else errors.push(...issuesOf(check, d));
  }
  return { resources, errors };
}

/** One Secret, as a user writes it or in its stored form (rollback); its stored form, or ConfigInvalidError. */
export function admitSecret(value: Record<string, unknown>, source: { file: string; index?: number }, defaultNamespace?: string): Resource {
  const stored = 'spec' in value && !('data' in value) && !('stringData' in value);
  const check = stored ? checkStoredSecret(value) : checkSecretObject(value, { defaultNamespace });
  if (!check.secret) throw new ConfigInvalidError(issuesOf(check, source));
  return storedSecretOf(check.secret) as unknown as Resource;
}

/** A resource as Galley shows it: Secrets redacted, everything else as stored. */
export function forDisplay<T extends Resource | undefined>(resource: T): T {
  if (!resource || resource.kind !== 'Secret') return resource;
  return redactStoredSecret(resource);
}
