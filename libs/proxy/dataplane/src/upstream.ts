// The contract between a request (the exchange) and an upstream stream,
// whatever the upstream protocol: HTTP/1.1 over a pooled socket or an
// HTTP/2 stream on a shared session.
import type { Socket } from 'node:net';

/** Why an upstream attempt failed before a response head arrived (or after). */
export const FAILURE = {
  /** Connection refused / unreachable. */
  CONNECT: 1,
  CONNECT_TIMEOUT: 2,
  /** The connection or stream was reset (before or during the response). */
  RESET: 3,
  /** HTTP/2 REFUSED_STREAM: the upstream did not process the request. */
  REFUSED_STREAM: 4,
  /** Circuit breaker: pending queue or connections full. */
  OVERFLOW: 5,
  /** Malformed response. */
  PROTOCOL: 6,
} as const;
export type Failure = (typeof FAILURE)[keyof typeof FAILURE];

export interface UpstreamHandler {
  /** The stream can take the request. */
  onUpstreamReady(stream: UpstreamStream): void;
  /**
   * Response head (1xx informational heads are not passed on, except 101).
   * end=true: the response is complete with its head (HTTP/2 HEADERS with
   * END_STREAM, e.g. a gRPC Trailers-Only answer); onUpstreamEnd does not follow.
   */
  onUpstreamHead(status: number, headers: string[], end?: boolean): void;
  onUpstreamData(chunk: Buffer): void;
  onUpstreamEnd(trailers: string[] | undefined): void;
  onUpstreamFailure(kind: Failure, detail: string): void;
  /** After a 101 response: the raw upstream socket and bytes already read past the head. */
  onUpstreamUpgraded?(socket: Socket, head: Buffer): void;
  /** The upstream can take more request body. */
  onUpstreamDrain(): void;
  /** A read from the upstream was fully processed (the response may continue later). */
  onUpstreamIdle?(): void;
}

export interface RequestHead {
  method: string;
  /** Origin-form path with query. */
  path: string;
  authority: string;
  scheme: string;
  /** Lower-case names; hop-by-hop headers already removed. */
  headers: string[];
  /** -1: unknown length (chunked / streamed). */
  contentLength: number;
  hasBody: boolean;
  /** Ask for a protocol upgrade (websocket). */
  upgrade?: string;
}

export interface UpstreamStream {
  /** Sends the head; with end=true the request has no body. */
  sendHead(head: RequestHead, end: boolean): void;
  /** Returns false when the upstream is congested (wait for onUpstreamDrain). */
  sendData(chunk: Buffer): boolean;
  sendEnd(trailers?: string[]): void;
  /** Abandons the attempt; the connection is not reused. */
  abort(): void;
  pauseResponse(): void;
  resumeResponse(): void;
  /** Host:port of the local side, for access logs. */
  readonly localAddress: string;
}
