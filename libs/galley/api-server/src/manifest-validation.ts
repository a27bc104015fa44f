// The one validation path every entrance uses (API, REST, file source,
// Kubernetes source, webhook, CLI offline): decode with the hostile-input
// limits, leave out plain Kubernetes objects, validate the rest as Istio does.
import { findKind, parseApiVersion, type Resource } from '@sextant/config-model';
import {
  decodeFiles,
  validateDocuments,
  validateResource,
  type DecodedDocument,
  type DecodeLimits,
  type InputFile,
  type ValidatedDocument,
  type ValidationIssue,
} from '@sextant/validation';
import { ConfigInvalidError } from './errors';
import { admitSecret, isSecretDocument, validateSecretDocuments } from './secret-documents';

export interface ManifestValidation {
  /** No errors (warnings and skipped documents allowed). */
  valid: boolean;
  resources: ValidatedDocument[];
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  /** Documents that are not Istio config (Deployments, Services...), left out with a note each. */
  skipped: ValidationIssue[];
}

export interface ManifestOptions {
  defaultNamespace?: string;
  limits?: Partial<DecodeLimits>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A document outside Istio's API groups whose kind Sextant does not know: not config for Galley. */
export function isForeignDocument(value: Record<string, unknown>): boolean {
  const kind = str(value['kind']);
  if (!kind || findKind(kind) || isSecretDocument(value)) return false;
  const { group } = parseApiVersion(str(value['apiVersion']));
  return !(group === 'istio.io' || group.endsWith('.istio.io'));
}

function skippedNote(doc: DecodedDocument): ValidationIssue {
  const metadata = doc.value['metadata'];
  const name = typeof metadata === 'object' && metadata !== null ? str((metadata as Record<string, unknown>)['name']) : '';
  const kind = str(doc.value['kind']);
  return {
    code: 'IGNORED',
    severity: 'warning',
    file: doc.file,
    index: doc.index,
    kind,
    name,
    path: '',
    reason: `${kind} (${str(doc.value['apiVersion'])}) is not Istio configuration; skipped`,
  };
}

/** Decodes and validates input files; never throws for bad input. */
export function validateManifests(inputs: readonly InputFile[], opts: ManifestOptions = {}): ManifestValidation {
  const decoded = decodeFiles(inputs, opts.limits);
  const mine = decoded.documents.filter((d) => !isForeignDocument(d.value) && !isSecretDocument(d.value));
  const skipped = decoded.documents.filter((d) => isForeignDocument(d.value)).map(skippedNote);
  const result = validateDocuments(mine, { defaultNamespace: opts.defaultNamespace });
  // Core v1 Secrets (gateway credentials) are checked by their own rules.
  const secrets = validateSecretDocuments(
    decoded.documents.filter((d) => isSecretDocument(d.value)),
    opts.defaultNamespace,
  );
  const errors = [...decoded.errors, ...result.errors, ...secrets.errors];
  const resources = [...result.resources, ...secrets.resources].sort((a, b) => (a.file === b.file ? a.index - b.index : 0));
  return { valid: errors.length === 0, resources, errors, warnings: result.warnings, skipped };
}

/** Validates one object (webhook, Kubernetes source, rollback) and returns its internal form, or throws ConfigInvalidError. */
export function admitObject(value: unknown, source: { file: string; index?: number }, defaultNamespace?: string): Resource {
  if (typeof value === 'object' && value !== null && isSecretDocument(value as Record<string, unknown>)) return admitSecret(value as Record<string, unknown>, source, defaultNamespace);
  const result = validateResource(value, { file: source.file, index: source.index, defaultNamespace });
  if (!result.valid) throw new ConfigInvalidError(result.errors, result.warnings);
  return result.resource;
}
