// Error codes of @sextant/xds-client. Codes are stable; a decoder never
// throws for bad input (it returns a result union), these are for the
// client's own failures.
import { SextantError } from '@sextant/util';

export const XDS_CLIENT_ERROR_CODES = {
  XDS_CLIENT_CLOSED: 'the xDS client was closed while an operation waited on it',
  XDS_STREAM_FAILED: 'the ADS stream to Pilot ended with an error; the client reconnects with backoff',
  XDS_BAD_ADDRESS: 'the Pilot address is not host:port',
  XDS_NOT_READY: 'the first listeners and clusters have not been acknowledged yet',
} as const;
export type XdsClientErrorCode = keyof typeof XDS_CLIENT_ERROR_CODES;

export class XdsClientError extends SextantError {
  declare readonly code: XdsClientErrorCode;
  constructor(code: XdsClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'XdsClientError';
  }
}
