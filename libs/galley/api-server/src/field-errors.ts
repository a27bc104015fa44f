// Validation issues on the wire: as FieldError messages in responses, and in
// the trailing metadata of a failed call (`sextant-field-errors-bin`, JSON).
import * as grpc from '@grpc/grpc-js';
import type { GalleyV1 } from '@sextant/proto';
import type { ValidationIssue } from '@sextant/validation';

export const FIELD_ERRORS_METADATA = 'sextant-field-errors-bin';
/** Bounds what travels in trailers (HTTP/2 header lists are limited); the message always has every line. */
const MAX_METADATA_BYTES = 32 * 1024;

export type FieldError = GalleyV1.FieldError__Output;

export function toFieldError(issue: ValidationIssue): FieldError {
  return {
    file: issue.file,
    document: issue.index ?? -1,
    ref: { kind: issue.kind ?? '', namespace: issue.namespace ?? '', name: issue.name ?? '' },
    path: issue.path,
    reason: issue.reason,
    code: issue.code,
    severity: issue.severity,
  };
}

/** Adds FieldErrors to metadata, as many as fit the bound; `sextant-field-errors-truncated` says how many were left out. */
export function addFieldErrors(metadata: grpc.Metadata, issues: readonly ValidationIssue[]): void {
  const all = issues.map(toFieldError);
  let fit = all;
  let bytes = Buffer.from(JSON.stringify(fit));
  while (bytes.length > MAX_METADATA_BYTES && fit.length > 0) {
    fit = fit.slice(0, Math.floor(fit.length / 2));
    bytes = Buffer.from(JSON.stringify(fit));
  }
  metadata.set(FIELD_ERRORS_METADATA, bytes);
  if (fit.length < all.length) metadata.set('sextant-field-errors-truncated', String(all.length - fit.length));
}

export function readFieldErrors(metadata: grpc.Metadata | undefined): FieldError[] {
  const raw = metadata?.get(FIELD_ERRORS_METADATA)[0];
  if (!raw) return [];
  try {
    return JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw) as FieldError[];
  } catch {
    return [];
  }
}
