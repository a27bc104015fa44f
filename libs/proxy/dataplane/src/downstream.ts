// What an exchange needs from the downstream side, whatever its protocol.
import type { Socket } from 'node:net';

export interface DownstreamSink {
  readonly protocol: 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2';
  /** Response head; end=true: no body follows. Header names are lower-case. */
  sendHead(status: number, headers: string[], end: boolean): void;
  /** Returns false when the client is slow (wait for onDownstreamDrain). */
  sendData(chunk: Buffer): boolean;
  sendEnd(trailers: string[] | undefined): void;
  /** Nothing more arrives right now: write out anything held back (a head waiting for body). */
  flush?(): void;
  /** Abandons the response (reset the stream / close the connection). */
  reset(): void;
  pauseRequest(): void;
  resumeRequest(): void;
  /** The exchange is over; the connection may go on with the next request. */
  exchangeDone(): void;
  /** HTTP/1.1 upgrades: after a 101, splice the client and upstream sockets. */
  spliceUpgrade?(upstream: Socket, upstreamHead: Buffer): void;
}

/** HTTP status -> gRPC status for local replies (gRPC's HTTP mapping, as Envoy does it). */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}
