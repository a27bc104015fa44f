// Error codes of @sextant/dataplane.
import { SextantError } from '@sextant/util';

export const DATAPLANE_ERROR_CODES = {
  DATAPLANE_BIND_FAILED: 'a listener could not bind its address',
  DATAPLANE_CLOSED: 'the data plane is stopped',
  DATAPLANE_BAD_OPTION: 'a data plane option is invalid',
} as const;
export type DataplaneErrorCode = keyof typeof DATAPLANE_ERROR_CODES;

export class DataplaneError extends SextantError {
  declare readonly code: DataplaneErrorCode;
  constructor(code: DataplaneErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'DataplaneError';
  }
}
