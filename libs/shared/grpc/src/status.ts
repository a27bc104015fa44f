// One mapping from Sextant error codes to gRPC status codes, at the edge.
import * as grpc from '@grpc/grpc-js';
import { SextantError } from '@sextant/util';

export interface ServiceErrorLike {
  code: grpc.status;
  details: string;
  metadata?: grpc.Metadata;
}

/** Error codes a library may use, and the gRPC status each one maps to. */
const STATUS_BY_SUFFIX: [RegExp, grpc.status][] = [
  [/_INVALID$|^INVALID_/, grpc.status.INVALID_ARGUMENT],
  [/_NOT_FOUND$/, grpc.status.NOT_FOUND],
  [/_CONFLICT$|_EXISTS$/, grpc.status.ALREADY_EXISTS],
  [/_STALE$|_PRECONDITION$/, grpc.status.FAILED_PRECONDITION],
  [/_DENIED$|_FORBIDDEN$/, grpc.status.PERMISSION_DENIED],
  [/_UNAUTHENTICATED$/, grpc.status.UNAUTHENTICATED],
  [/_UNAVAILABLE$/, grpc.status.UNAVAILABLE],
  [/_UNIMPLEMENTED$/, grpc.status.UNIMPLEMENTED],
];

export function toServiceError(err: unknown): ServiceErrorLike {
  if (err instanceof SextantError) {
    const found = STATUS_BY_SUFFIX.find(([re]) => re.test(err.code));
    const metadata = new grpc.Metadata();
    metadata.set('sextant-error-code', err.code);
    return { code: found ? found[1] : grpc.status.INTERNAL, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

export function unimplemented(method: string, issue: string): ServiceErrorLike {
  return { code: grpc.status.UNIMPLEMENTED, details: `${method} is not available in this build yet (${issue})` };
}
