// Error codes of @sextant/xds-server, each with what it means. The suffix
// picks the gRPC status a stream ends with (see @sextant/grpc toServiceError).
import { SextantError } from '@sextant/util';

export const XDS_ERROR_CODES = {
  XDS_NODE_INVALID: "the stream's first request carries no node, or its id is neither a plain id nor Istio's type~ip~id~domain",
  XDS_REQUEST_INVALID: 'a request carries no type_url (ADS needs one on every request)',
  XDS_SNAPSHOT_UNAVAILABLE: 'the snapshot source failed for a new stream; the client retries with backoff',
  XDS_CLIENT_SLOW_UNAVAILABLE: 'the client did not read its responses within the send timeout; the stream is closed so it reconnects and resyncs',
  XDS_BACKLOG_UNAVAILABLE: 'the client sent more requests than one connection queues',
  XDS_SERVER_CLOSING_UNAVAILABLE: 'the xDS server is shutting down',
  XDS_PEER_UNAUTHENTICATED: 'on the TLS port: the client presented no certificate, or one that is expired, from another CA, or without a mesh SPIFFE ID',
  XDS_NODE_IDENTITY_DENIED: "on the TLS port: the node's namespace (or service account) is not the one its client certificate names",
} as const;
export type XdsErrorCode = keyof typeof XDS_ERROR_CODES;

export class XdsError extends SextantError {
  declare readonly code: XdsErrorCode;
  constructor(code: XdsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'XdsError';
  }
}
