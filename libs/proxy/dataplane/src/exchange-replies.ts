// Responses the proxy makes itself: no route, no cluster, no healthy host,
// overflow, timeouts, faults, rate limits, redirects and direct responses.
// gRPC requests get a trailers-only answer with the gRPC status mapped
// from the HTTP status.
import { grpcStatusForHttp } from './downstream';
import type { HttpExchange } from './http-exchange';
import { OUTCOME } from './outlier-detector';
import { applyResponseOps } from './request-mutations';

/** A response made by the proxy itself (text, or trailers-only for gRPC). */
export function sendLocalReply(ex: HttpExchange, status: number, body: string, flags: number, detail: string, extra?: string[]): void {
  if (ex.finished) return;
  ex.flags |= flags;
  ex.detail = detail;
  if (ex.attemptActive) ex.endAttempt(OUTCOME.SUCCESS, true);
  if (ex.responseStarted) {
    ex.sink.reset();
    return ex.finish();
  }
  ex.status = status;
  if (ex.grpc && status !== 200) return sendGrpcReply(ex, grpcStatusForHttp(status), body, 0, extra);
  const h: string[] = extra !== undefined ? extra.slice() : [];
  if (ex.corsHeaders !== undefined) h.push(...ex.corsHeaders);
  const bytes = body.length > 0 ? Buffer.from(body) : undefined;
  if (bytes !== undefined) h.push('content-type', 'text/plain');
  h.push('content-length', String(bytes?.length ?? 0));
  if (ex.route !== undefined && ex.route.headerOps.length > 0) applyResponseOps(h, ex.route.headerOps, ex);
  ex.responseStarted = true;
  const end = bytes === undefined || ex.method === 'HEAD';
  ex.sink.sendHead(status, h, end);
  if (!end) {
    ex.responseBytes += bytes.length;
    ex.sink.sendData(bytes);
    ex.sink.sendEnd(undefined);
  }
  ex.finish();
}

/** A trailers-only gRPC response (status in the head). */
export function sendGrpcReply(ex: HttpExchange, grpcStatus: number, message: string, flags: number, extra?: string[]): void {
  ex.flags |= flags;
  ex.status = 200;
  ex.grpcStatus = grpcStatus;
  const h = extra !== undefined ? extra.slice() : [];
  h.push('content-type', 'application/grpc', 'grpc-status', String(grpcStatus), 'grpc-message', encodeURIComponent(message));
  ex.responseStarted = true;
  ex.sink.sendHead(200, h, true);
  ex.finish();
}
