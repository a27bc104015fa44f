// Error codes of @sextant/config-store. Codes are stable; the gRPC edge maps
// them by suffix (`toServiceError` in @sextant/grpc): _NOT_FOUND -> NOT_FOUND,
// _STALE -> FAILED_PRECONDITION, _INVALID -> INVALID_ARGUMENT,
// _UNAVAILABLE -> UNAVAILABLE.
import { SextantError } from '@sextant/util';

export const STORE_ERROR_CODES = {
  STORE_NOT_FOUND: 'the resource (or the revision asked for) is not in the store',
  STORE_STALE:
    'the resourceVersion given no longer matches the stored one, or the resource changed while the write was in progress; read it again and retry',
  STORE_INVALID: 'the request cannot be carried out as asked (a resource twice in one batch, a rollback to a deletion)',
  STORE_UNAVAILABLE: 'NATS KV failed during a read or a write; a batch that was being written has been rolled back',
} as const;
export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

export class ConfigStoreError extends SextantError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ConfigStoreError';
  }
}

/** true for NATS' "wrong last sequence" / "key exists" answers to a conditional write. */
export function isRevisionMismatch(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === 10071 || code === 10164 || /wrong last sequence|key exists/i.test(err.message);
}
