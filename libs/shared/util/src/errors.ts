// Base error type for every Sextant library. Each lib declares its own codes
// in its errors.ts; the edge (gRPC/HTTP) maps codes to statuses in one place.
export class SextantError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SextantError';
    this.code = code;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Result union used by decoders and validators: never throw for bad input. */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; errors: E[] };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(...errors: E[]): Result<never, E> => ({ ok: false, errors });
