// Error codes of @sextant/galley-api. Codes are stable; the gRPC edge maps
// them by suffix (`toServiceError` in @sextant/grpc), the REST mirror with
// httpStatusOf. Store errors (STORE_*) pass through unchanged.
import { SextantError } from '@sextant/util';
import { formatIssues, type ValidationIssue } from '@sextant/validation';

export const GALLEY_API_ERROR_CODES = {
  CONFIG_INVALID: 'one or more documents failed validation; nothing was stored; every error is listed, one per line',
  REQUEST_INVALID: 'the request itself is malformed (no manifest, unknown kind, missing name, a bad revision)',
  GALLEY_UNAVAILABLE: 'Galley is not connected to NATS (yet); retry shortly',
  WEBHOOK_TLS_INVALID: 'the webhook certificate or key file cannot be read or used',
} as const;
export type GalleyApiErrorCode = keyof typeof GALLEY_API_ERROR_CODES;

export class GalleyApiError extends SextantError {
  declare readonly code: GalleyApiErrorCode;
  constructor(code: GalleyApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'GalleyApiError';
  }
}

/** Validation refused the input: message = one line per error, in the validator's format. */
export class ConfigInvalidError extends GalleyApiError {
  constructor(
    readonly errors: readonly ValidationIssue[],
    readonly warnings: readonly ValidationIssue[] = [],
  ) {
    super('CONFIG_INVALID', formatIssues(errors));
    this.name = 'ConfigInvalidError';
  }
}

export function requestInvalid(message: string): GalleyApiError {
  return new GalleyApiError('REQUEST_INVALID', message);
}
