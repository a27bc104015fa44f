// The attempt state machine of an exchange, kept apart from its streaming:
// host choice (load balancing or original destination), circuit breaking,
// per-try and route timeouts, retries with back-off on failures and on
// retriable responses, and the per-attempt accounting on cluster and host.
import type { HttpExchange } from './http-exchange';
import { getHeader, setHeader } from './headers';
import type { Host } from './host';
import { OUTCOME, type Outcome } from './outlier-detector';
import { FLAG } from './response-flags';
import { FAILURE, type Failure } from './upstream';

const now = () => performance.now();

const OVERFLOW_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';

/** The outlier-detection outcome of a response status. */
export function responseOutcome(status: number): Outcome {
  return status >= 500 ? (status >= 502 && status <= 504 ? OUTCOME.GATEWAY : OUTCOME.HTTP_5XX) : OUTCOME.SUCCESS;
}

/** Picks a host and asks its pool for a stream (the answer comes to ex.onUpstreamReady / onUpstreamFailure). */
export function startAttempt(ex: HttpExchange): void {
  const cluster = ex.cluster!;
  if (!cluster.canStartRequest()) {
    cluster.stats.upstream_rq_pending_overflow++;
    return ex.localReply(503, OVERFLOW_BODY, FLAG.UO, 'overflow');
  }
  let host: Host | undefined;
  if (cluster.config.discovery === 'ORIGINAL_DST') {
    const od = cluster.config.originalDst.useHttpHeader ? parseHostPort(getHeader(ex.headers, cluster.config.originalDst.headerName)) : (ex.originalDst ?? ex.conn.originalDst);
    host = od ? cluster.originalDstHost(od.address, od.port) : undefined;
  } else {
    const exclude = ex.retry.avoidPreviousHosts ? ex.prevHost : undefined;
    host = cluster.pick(ex.hash, exclude);
  }
  if (host === undefined) {
    cluster.stats.upstream_cx_none_healthy++;
    return ex.localReply(503, 'no healthy upstream', FLAG.UH, 'no_healthy_upstream');
  }
  ex.host = host;
  ex.attempts++;
  ex.attemptActive = true;
  ex.attemptStart = now();
  cluster.activeRequests++;
  host.activeRequests++;
  host.rqTotal++;
  cluster.stats.upstream_rq_total++;
  cluster.stats.upstream_rq_active++;
  if (ex.attempts > 1 && ex.route!.attemptCountHeader) setHeader(ex.upstreamHead!.headers, 'x-envoy-attempt-count', String(ex.attempts));
  const protocol = cluster.config.upstreamProtocol === 'http2' || (cluster.config.upstreamProtocol === 'downstream' && ex.protocol === 'HTTP/2') ? 'http2' : 'http1';
  const pool = ex.services.poolFor(cluster, host, ex.upgrade !== undefined ? 'http1' : protocol);
  ex.pending = true;
  if (ex.upgrade !== undefined && 'dedicated' in pool) pool.dedicated(ex);
  else pool.acquire(ex);
}

/** Ends the current attempt's accounting; abort: throw away the upstream stream. */
export function endAttempt(ex: HttpExchange, outcome: Outcome, abort: boolean): void {
  clearTryTimer(ex);
  if (!ex.attemptActive) return;
  ex.attemptActive = false;
  const cluster = ex.cluster!;
  const host = ex.host!;
  cluster.activeRequests--;
  host.activeRequests--;
  cluster.stats.upstream_rq_active--;
  if (ex.attemptIsRetry) {
    cluster.activeRetries--;
    ex.attemptIsRetry = false;
  }
  if (ex.pending) {
    ex.pending = false;
    ex.services.poolFor(cluster, host, 'http1').cancelPending(ex);
    if (host.http2) ex.services.poolFor(cluster, host, 'http2').cancelPending(ex);
  }
  if (abort && ex.stream !== undefined) {
    const s = ex.stream;
    ex.stream = undefined;
    s.abort();
  }
  if (outcome !== OUTCOME.SUCCESS) {
    host.rqErrors++;
    cluster.outlierDetector?.report(host, outcome);
  }
}

/** Whether a response (head just received, nothing sent downstream yet) is retried instead of passed on. */
export function retryOnResponse(ex: HttpExchange, status: number, headers: string[], grpcStatus: number): boolean {
  if (status < 300 && grpcStatus <= 0) return false;
  if (!ex.retry.onResponse(status, headers, grpcStatus)) return false;
  const cluster = ex.cluster!;
  if (ex.attempts > ex.retry.numRetries || ex.bodyOverflow || ex.upgrade !== undefined) {
    ex.flags |= FLAG.URX;
    if (ex.attempts > ex.retry.numRetries && ex.attempts > 1) cluster.stats.upstream_rq_retry_limit_exceeded++;
    return false;
  }
  if (!cluster.canRetry(ex.retry.isDefault, Date.now())) {
    cluster.stats.upstream_rq_retry_overflow++;
    return false;
  }
  endAttempt(ex, responseOutcome(status), true);
  scheduleRetry(ex);
  return true;
}

/** The upstream failed before (or while) answering: retry, reset or answer locally. */
export function upstreamFailure(ex: HttpExchange, kind: Failure, detail: string): void {
  ex.pending = false;
  ex.stream = undefined;
  if (kind === FAILURE.OVERFLOW) {
    endAttempt(ex, OUTCOME.SUCCESS, false);
    return ex.localReply(503, OVERFLOW_BODY, FLAG.UO, 'overflow');
  }
  endAttempt(ex, OUTCOME.LOCAL_ORIGIN, false);
  if (ex.responseStarted) {
    ex.flags |= FLAG.UR;
    ex.detail = 'upstream_reset_after_response_started';
    ex.sink.reset();
    return ex.finish();
  }
  const connect = kind === FAILURE.CONNECT || kind === FAILURE.CONNECT_TIMEOUT;
  const refused = kind === FAILURE.REFUSED_STREAM;
  const cluster = ex.cluster!;
  if (ex.retry.onFailure(kind, ex.method) && !ex.bodyOverflow && ex.upgrade === undefined) {
    if (ex.attempts <= ex.retry.numRetries) {
      if (cluster.canRetry(ex.retry.isDefault, Date.now(), refused)) {
        ex.detail = detail;
        // Never processed upstream: sent again at once (on a new connection when the old one is going away), no back-off.
        return scheduleRetry(ex, refused ? 0 : undefined);
      }
      cluster.stats.upstream_rq_retry_overflow++;
    } else if (ex.attempts > 1) {
      ex.flags |= FLAG.URX;
      cluster.stats.upstream_rq_retry_limit_exceeded++;
    }
  }
  const flag = connect ? FLAG.UF : kind === FAILURE.PROTOCOL ? FLAG.UPE : FLAG.UC;
  const why = connect ? 'upstream_reset_before_response_started{connection_failure}' : 'upstream_reset_before_response_started{connection_termination}';
  ex.localReply(503, `upstream connect error or disconnect/reset before headers. reset reason: ${detail}`, flag, why);
}

function scheduleRetry(ex: HttpExchange, delayMs?: number): void {
  const cluster = ex.cluster!;
  cluster.stats.upstream_rq_retry++;
  ex.prevHost = ex.host;
  const delay = delayMs ?? ex.retry.backoffMs(ex.attempts);
  cluster.activeRetries++;
  ex.attemptIsRetry = true;
  ex.waitTimer = setTimeout(() => {
    ex.waitTimer = undefined;
    if (!ex.finished) startAttempt(ex);
  }, delay);
}

// timeouts -------------------------------------------------------------------

export function armTryTimer(ex: HttpExchange): void {
  const ms = ex.retry?.perTryTimeoutMs ?? 0;
  if (ms > 0 && ex.tryTimer === undefined) ex.tryTimer = setTimeout(() => onTryTimeout(ex), ms);
}

export function armRouteTimer(ex: HttpExchange): void {
  const timeout = ex.action?.timeoutMs ?? 0;
  if (timeout > 0 && ex.routeTimer === undefined) ex.routeTimer = setTimeout(() => onRouteTimeout(ex), timeout);
}

export function clearTryTimer(ex: HttpExchange): void {
  if (ex.tryTimer !== undefined) {
    clearTimeout(ex.tryTimer);
    ex.tryTimer = undefined;
  }
}

/** Clears every timer of the exchange (it is over). */
export function clearTimers(ex: HttpExchange): void {
  if (ex.routeTimer !== undefined) {
    clearTimeout(ex.routeTimer);
    ex.routeTimer = undefined;
  }
  if (ex.waitTimer !== undefined) {
    clearTimeout(ex.waitTimer);
    ex.waitTimer = undefined;
  }
  clearTryTimer(ex);
}

function onTryTimeout(ex: HttpExchange): void {
  ex.tryTimer = undefined;
  if (ex.finished || ex.responseStarted) return;
  const cluster = ex.cluster!;
  cluster.stats.upstream_rq_per_try_timeout++;
  endAttempt(ex, OUTCOME.LOCAL_ORIGIN, true);
  if (ex.retry.onPerTryTimeout() && ex.attempts <= ex.retry.numRetries && !ex.bodyOverflow && cluster.canRetry(ex.retry.isDefault, Date.now())) {
    return scheduleRetry(ex);
  }
  if (ex.attempts > 1) ex.flags |= FLAG.URX;
  ex.localReply(504, 'upstream request timeout', FLAG.UT, 'upstream_per_try_timeout');
}

function onRouteTimeout(ex: HttpExchange): void {
  ex.routeTimer = undefined;
  if (ex.finished) return;
  if (ex.cluster) ex.cluster.stats.upstream_rq_timeout++;
  ex.flags |= FLAG.UT;
  if (ex.attemptActive) endAttempt(ex, OUTCOME.LOCAL_ORIGIN, true);
  if (ex.responseStarted) {
    ex.detail = 'upstream_response_timeout';
    ex.sink.reset();
    return ex.finish();
  }
  ex.localReply(504, 'upstream request timeout', 0, 'upstream_response_timeout');
}

function parseHostPort(v: string | undefined): { address: string; port: number } | undefined {
  if (!v) return undefined;
  const i = v.lastIndexOf(':');
  if (i <= 0) return undefined;
  const port = Number(v.slice(i + 1));
  const address = v.slice(0, i).replace(/^\[|\]$/g, '');
  return Number.isInteger(port) && port > 0 ? { address, port } : undefined;
}
