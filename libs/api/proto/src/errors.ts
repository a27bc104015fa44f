// Error codes of @sextant/proto. Codes are stable; the gRPC edge maps them by
// suffix (see @sextant/grpc).
import { SextantError } from '@sextant/util';

export const PROTO_ERROR_CODES = {
  PROTO_TYPE_NOT_FOUND: 'a type URL names a message that is not in the loaded Envoy protos',
  PROTO_MESSAGE_INVALID: 'a plain object does not fit its message type (unknown field, wrong value type)',
  PROTO_DECODE_INVALID: 'bytes could not be decoded as the named message type',
} as const;
export type ProtoErrorCode = keyof typeof PROTO_ERROR_CODES;

export class ProtoError extends SextantError {
  declare readonly code: ProtoErrorCode;
  constructor(code: ProtoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ProtoError';
  }
}
