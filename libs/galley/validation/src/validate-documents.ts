// Many documents at once: decoded documents (or raw input files) in, every
// valid resource, every error and every warning out, in document order.
import { findKind, type IstioResource } from '@sextant/config-model';
import type { ValidationIssue } from './issue';
import type { DecodeLimits } from './limits';
import { validateResource, type ValidateOptions } from './validate-resource';
import { decodeFiles, type DecodedDocument, type InputFile } from './yaml-decoder';

export interface DocumentsOptions extends Pick<ValidateOptions, 'defaultNamespace'> {
  /**
   * Skip documents whose kind is not one Sextant accepts (Deployments,
   * Services...) instead of reporting UNKNOWN_KIND. They are listed in
   * `skipped`. Default false.
   */
  skipUnknownKinds?: boolean;
}

export interface SkippedDocument {
  file: string;
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
}

export interface ValidatedDocument {
  file: string;
  index: number;
  resource: IstioResource;
}

export interface DocumentsResult {
  /** true when there are no errors (warnings allowed). */
  valid: boolean;
  resources: ValidatedDocument[];
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  skipped: SkippedDocument[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Validates decoded documents; see validateResource for each one. */
export function validateDocuments(documents: readonly DecodedDocument[], options: DocumentsOptions = {}): DocumentsResult {
  const out: DocumentsResult = { valid: true, resources: [], errors: [], warnings: [], skipped: [] };
  for (const doc of documents) {
    const kind = str(doc.value['kind']);
    if (options.skipUnknownKinds && kind !== '' && !findKind(kind)) {
      const metadata = doc.value['metadata'];
      const name = typeof metadata === 'object' && metadata !== null ? str((metadata as Record<string, unknown>)['name']) : '';
      out.skipped.push({ file: doc.file, index: doc.index, apiVersion: str(doc.value['apiVersion']), kind, name });
      continue;
    }
    const result = validateResource(doc.value, { file: doc.file, index: doc.index, defaultNamespace: options.defaultNamespace });
    out.warnings.push(...result.warnings);
    if (result.valid) out.resources.push({ file: doc.file, index: doc.index, resource: result.resource });
    else out.errors.push(...result.errors);
  }
  out.valid = out.errors.length === 0;
  return out;
}

/** Decodes and validates input files in one step (decoding errors come first). */
export function validateFiles(files: readonly InputFile[], options: DocumentsOptions & { limits?: Partial<DecodeLimits> } = {}): DocumentsResult {
  const decoded = decodeFiles(files, options.limits);
  const result = validateDocuments(decoded.documents, options);
  result.errors.unshift(...decoded.errors);
  result.valid = result.errors.length === 0;
  return result;
}
