// One HTTP request through the proxy, whatever the protocols on either side:
// route -> direct response / redirect -> fault -> CORS -> local rate limit
// -> cluster (weighted) -> header ops and rewrites -> mirror -> attempts
// (load balancing, circuit breaking, per-try timeout, retries with backoff)
// -> response (header ops, CORS, peer metadata) -> metrics and access log.
// HTTP/1.1 connections reuse one exchange object for all their requests.
import type { Socket } from 'node:net';
import type { RouteActionConfig } from '@sextant/xds-client';
import type { ClusterRuntime } from './cluster-runtime';
import type { DownstreamSink } from './downstream';
import { sendGrpcReply, sendLocalReply } from './exchange-replies';
import { endFault, runFilters } from './exchange-filters';
import { finishExchange } from './exchange-finish';
import { buildUpstreamHead, prepareResponseHeaders } from './exchange-headers';
import { getHeader, setHeader } from './headers';
import type { Host } from './host';
import type { ActiveConfig, ConnInfo, HcmRuntime, ProxyServices } from './http-context';
import type { MatchInput } from './matchers';
import { startMirrors } from './mirror';
import { OUTCOME, type Outcome } from './outlier-detector';
import { UNKNOWN_PEER, type PeerLabels } from './peer-metadata';
import { redirectLocation, type FormatContext } from './request-mutations';
import { FLAG } from './response-flags';
import { compileRetryPolicy, grpcStatusOf, type CompiledRetryPolicy } from './retry-policy';
import { isGrpc, type CompiledRoute, type RouteFilters } from './route-matcher';
import { FAILURE, type Failure, type RequestHead, type UpstreamHandler, type UpstreamStream } from './upstream';

const now = () => performance.now();

export class HttpExchange implements UpstreamHandler, MatchInput, FormatContext {
  // request facts
  method = '';
  path = '';
  authority = '';
  scheme = 'http';
  headers: string[] = [];
  contentLength = -1;
  hasBody = false;
  grpc = false;
  upgrade: string | undefined;
  protocol = 'HTTP/1.1';
  /** Where the client meant to go, when the connection does not say (explicit proxy). */
  originalDst: { address: string; port: number } | undefined;
  // context
  conn!: ConnInfo;
  hcm!: HcmRuntime;
  active!: ActiveConfig;
  // routing state
  route: CompiledRoute | undefined;
  action: RouteActionConfig | undefined;
  filters: RouteFilters | undefined;
  clusterName = '';
  cluster: ClusterRuntime | undefined;
  weightedIndex = -1;
  upstreamHead: RequestHead | undefined;
  retry!: CompiledRetryPolicy;
  hash: number | undefined;
  setCookie: string | undefined;
  // attempt state
  host: Host | undefined;
  prevHost: Host | undefined;
  stream: UpstreamStream | undefined;
  attempts = 0;
  attemptIsRetry = false;
  attemptActive = false;
  attemptStart = 0;
  pending = false;
  // progress
  requestEnded = false;
  responseStarted = false;
  finished = false;
  waitingDrain = false;
  flags = 0;
  status = 0;
  grpcStatus = -1;
  detail = '';
  startTime = 0;
  startMs = 0;
  upstreamServiceMs = -1;
  requestBytes = 0;
  responseBytes = 0;
  body: Buffer[] | undefined;
  bodyBytes = 0;
  bodyOverflow = false;
  requestId = '';
  peer: PeerLabels = UNKNOWN_PEER;
  corsHeaders: string[] | undefined;
  faultActive = false;
  routeTimer: NodeJS.Timeout | undefined;
  tryTimer: NodeJS.Timeout | undefined;
  waitTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly services: ProxyServices,
    public sink: DownstreamSink,
  ) {}

  // FormatContext
  get remoteAddress(): string {
    return this.conn.remoteAddress;
  }
  get remotePort(): number {
    return this.conn.remotePort;
  }
  get localAddress(): string {
    return this.conn.localAddress;
  }
  get localPort(): number {
    return this.conn.localPort;
  }
  get upstreamHost(): string {
    return this.host?.key ?? '';
  }

  /** Clears per-request state (the object is reused on HTTP/1.1 keep-alive connections). */
  reset(): void {
    this.route = this.action = this.filters = this.cluster = this.upstreamHead = this.host = this.prevHost = this.stream = undefined;
    this.hash = this.setCookie = this.upgrade = this.body = this.corsHeaders = this.originalDst = undefined;
    this.clusterName = this.detail = this.requestId = '';
    this.weightedIndex = this.contentLength = this.upstreamServiceMs = this.grpcStatus = -1;
    this.attempts = this.flags = this.status = this.requestBytes = this.responseBytes = this.bodyBytes = 0;
    this.attemptIsRetry = this.attemptActive = this.pending = this.requestEnded = this.responseStarted = this.finished = this.waitingDrain = false;
    this.hasBody = this.grpc = this.bodyOverflow = this.faultActive = false;
    this.peer = UNKNOWN_PEER;
  }

  /** Starts processing once the request head is known. */
  start(conn: ConnInfo, hcm: HcmRuntime): void {
    this.conn = conn;
    this.hcm = hcm;
    this.active = this.services.active();
    this.startMs = now();
    this.startTime = Date.now();
    this.grpc = isGrpc(this.headers);
    if (this.hasBody) this.body = [];
    hcm.stats.downstream_rq_total++;
    hcm.stats.downstream_rq_active++;
    const table = hcm.routeTable(this.active);
    const route = table?.match(this);
    if (route === undefined) return this.localReply(404, '', FLAG.NR, 'route_not_found');
    this.route = route;
    const action = route.entry.action;
    if (action.kind === 'direct') return this.localReply(action.status, action.body ?? '', 0, 'direct_response');
    if (action.kind === 'redirect') {
      const location = redirectLocation(action, route, this.scheme, this.authority, this.path);
      return this.localReply(action.status, '', 0, 'via_route_redirect', ['location', location]);
    }
    if (action.kind !== 'route') return this.localReply(404, '', FLAG.NR, 'route_not_found');
    this.action = action;
    this.chooseCluster(action, route);
    runFilters(this);
  }

  private chooseCluster(action: RouteActionConfig, route: CompiledRoute): void {
    const w = route.weighted;
    if (w !== undefined) {
      const r = Math.random() * w.total;
      let i = 0;
      while (w.cumulative[i]! <= r) i++;
      this.weightedIndex = i;
      this.clusterName = w.names[i]!;
      this.filters = w.filters[i];
    } else {
      this.filters = route.filters;
      const c = action.cluster;
      this.clusterName = c.kind === 'cluster' ? c.name : c.kind === 'header' ? (getHeader(this.headers, c.header) ?? '') : '';
    }
  }

  /** After the filters: cluster, request head, retry policy, mirrors, first attempt. */
  forward(): void {
    const action = this.action!;
    const route = this.route!;
    const cluster = this.clusterName ? this.active.clusters.get(this.clusterName) : undefined;
    if (cluster === undefined) return this.localReply(action.clusterNotFoundCode, '', FLAG.NC, 'cluster_not_found');
    this.cluster = cluster;
    this.upstreamHead = buildUpstreamHead(this, action, route, cluster);
    this.retry = compileRetryPolicy(route.retryPolicy, this.services.options.defaultRetry);
    if (this.retry.isDefault || this.retry.numRetries > 0) cluster.retryBudget.deposit(Date.now());
    if (!this.retry.requestAllowed(this)) this.retry = compileRetryPolicy({ ...this.retry.config, numRetries: 0 });
    if (route.mirrors.length > 0 && this.requestEnded) startMirrors(this);
    this.attempt();
  }

  // attempts -----------------------------------------------------------------

  private attempt(): void {
    const cluster = this.cluster!;
    if (!cluster.canStartRequest()) {
      cluster.stats.upstream_rq_pending_overflow++;
      return this.localReply(503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow', FLAG.UO, 'overflow');
    }
    let host: Host | undefined;
    if (cluster.config.discovery === 'ORIGINAL_DST') {
      const od = cluster.config.originalDst.useHttpHeader ? parseHostPort(getHeader(this.headers, cluster.config.originalDst.headerName)) : (this.originalDst ?? this.conn.originalDst);
      host = od ? cluster.originalDstHost(od.address, od.port) : undefined;
    } else {
      const exclude = this.retry.avoidPreviousHosts ? this.prevHost : undefined;
      host = cluster.pick(this.hash, exclude);
    }
    if (host === undefined) {
      cluster.stats.upstream_cx_none_healthy++;
      return this.localReply(503, 'no healthy upstream', FLAG.UH, 'no_healthy_upstream');
    }
    this.host = host;
    this.attempts++;
    this.attemptActive = true;
    this.attemptStart = now();
    cluster.activeRequests++;
    host.activeRequests++;
    host.rqTotal++;
    cluster.stats.upstream_rq_total++;
    cluster.stats.upstream_rq_active++;
    if (this.attempts > 1 && this.route!.attemptCountHeader) setHeader(this.upstreamHead!.headers, 'x-envoy-attempt-count', String(this.attempts));
    const protocol = cluster.config.upstreamProtocol === 'http2' || (cluster.config.upstreamProtocol === 'downstream' && this.protocol === 'HTTP/2') ? 'http2' : 'http1';
    const pool = this.services.poolFor(cluster, host, this.upgrade !== undefined ? 'http1' : protocol);
    this.pending = true;
    if (this.upgrade !== undefined && 'dedicated' in pool) pool.dedicated(this);
    else pool.acquire(this);
  }

  onUpstreamReady(stream: UpstreamStream): void {
    this.pending = false;
    if (this.finished || !this.attemptActive) {
      stream.abort();
      return;
    }
    this.stream = stream;
    const bodyDone = this.requestEnded;
    const buffered = this.body;
    stream.sendHead(this.upstreamHead!, bodyDone && (buffered === undefined || buffered.length === 0));
    if (buffered !== undefined) for (const c of buffered) stream.sendData(c);
    if (this.bodyOverflow) {
      this.body = [];
      this.onUpstreamDrain();
    }
    if (bodyDone) {
      if (buffered !== undefined && buffered.length > 0) stream.sendEnd();
      this.armTryTimer();
    }
  }

  onRequestBody(chunk: Buffer): void {
    this.requestBytes += chunk.length;
    const s = this.stream;
    if (s !== undefined && this.attemptActive) {
      if (!this.bodyOverflow && this.body !== undefined) {
        if (this.bodyBytes + chunk.length > this.services.options.retryBufferLimit) {
          // Too big to replay: no retries or mirrors for this request.
          this.bodyOverflow = true;
          this.body = [];
        } else {
          this.bodyBytes += chunk.length;
          this.body.push(chunk);
        }
      }
      if (!s.sendData(chunk)) {
        this.waitingDrain = true;
        this.sink.pauseRequest();
      }
      return;
    }
    // No upstream yet (connecting, fault delay, retry back-off): keep it to send later.
    (this.body ??= []).push(chunk);
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.services.options.retryBufferLimit) {
      this.bodyOverflow = true;
      if (!this.waitingDrain) {
        this.waitingDrain = true;
        this.sink.pauseRequest();
      }
    }
  }

  onRequestEnd(): void {
    this.requestEnded = true;
    if (this.finished) return;
    const timeout = this.action?.timeoutMs ?? 0;
    if (timeout > 0 && this.routeTimer === undefined) this.routeTimer = setTimeout(() => this.onRouteTimeout(), timeout);
    if (this.cluster !== undefined && this.route!.mirrors.length > 0) startMirrors(this);
    const s = this.stream;
    if (s !== undefined && this.attemptActive) {
      if (this.hasBody) s.sendEnd();
      this.armTryTimer();
    }
  }

  onUpstreamDrain(): void {
    if (this.waitingDrain) {
      this.waitingDrain = false;
      this.sink.resumeRequest();
    }
  }

  onUpstreamIdle(): void {
    if (this.responseStarted && !this.finished) this.sink.flush?.();
  }

  /** The client can take more response body. */
  onDownstreamDrain(): void {
    this.stream?.resumeResponse();
  }

  private armTryTimer(): void {
    const ms = this.retry?.perTryTimeoutMs ?? 0;
    if (ms > 0 && this.tryTimer === undefined) this.tryTimer = setTimeout(() => this.onTryTimeout(), ms);
  }

  onUpstreamHead(status: number, headers: string[]): void {
    if (this.finished) return;
    const grpcStatus = this.grpc ? grpcStatusOf(headers) : -1;
    if (!this.responseStarted && this.canRetryResponse(status, headers, grpcStatus)) {
      this.endAttempt(status >= 500 ? (status >= 502 && status <= 504 ? OUTCOME.GATEWAY : OUTCOME.HTTP_5XX) : OUTCOME.SUCCESS, true);
      this.scheduleRetry();
      return;
    }
    this.clearTryTimer();
    this.status = status;
    this.grpcStatus = grpcStatus;
    this.upstreamServiceMs = now() - this.attemptStart;
    this.cluster!.outlierDetector?.report(this.host!, status >= 500 ? (status >= 502 && status <= 504 ? OUTCOME.GATEWAY : OUTCOME.HTTP_5XX) : OUTCOME.SUCCESS);
    prepareResponseHeaders(this, headers);
    this.responseStarted = true;
    this.sink.sendHead(status, headers, false);
  }

  private canRetryResponse(status: number, headers: string[], grpcStatus: number): boolean {
    if (status < 300 && grpcStatus <= 0) return false;
    if (!this.retry.onResponse(status, headers, grpcStatus)) return false;
    if (this.attempts > this.retry.numRetries || this.bodyOverflow || this.upgrade !== undefined) {
      this.flags |= FLAG.URX;
      if (this.attempts > this.retry.numRetries && this.attempts > 1) this.cluster!.stats.upstream_rq_retry_limit_exceeded++;
      return false;
    }
    return this.cluster!.canRetry(this.retry.isDefault, Date.now()) || (this.cluster!.stats.upstream_rq_retry_overflow++, false);
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.finished) return;
    this.responseBytes += chunk.length;
    if (!this.sink.sendData(chunk)) this.stream?.pauseResponse();
  }

  onUpstreamEnd(trailers: string[] | undefined): void {
    if (this.finished) return;
    if (trailers !== undefined && this.grpc) {
      const g = grpcStatusOf(trailers);
      if (g >= 0) this.grpcStatus = g;
    }
    this.stream = undefined;
    this.endAttempt(OUTCOME.SUCCESS, false);
    this.sink.sendEnd(trailers);
    this.finish();
  }

  onUpstreamUpgraded(socket: Socket, head: Buffer): void {
    this.stream = undefined;
    this.endAttempt(OUTCOME.SUCCESS, false);
    if (this.sink.spliceUpgrade === undefined) {
      socket.destroy();
      this.sink.reset();
    } else this.sink.spliceUpgrade(socket, head);
    this.finish();
  }

  onUpstreamFailure(kind: Failure, detail: string): void {
    if (this.finished) return;
    this.pending = false;
    this.stream = undefined;
    if (kind === FAILURE.OVERFLOW) {
      this.endAttempt(OUTCOME.SUCCESS, false);
      return this.localReply(503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow', FLAG.UO, 'overflow');
    }
    this.endAttempt(OUTCOME.LOCAL_ORIGIN, false);
    if (this.responseStarted) {
      this.flags |= FLAG.UR;
      this.detail = 'upstream_reset_after_response_started';
      this.sink.reset();
      return this.finish();
    }
    const connect = kind === FAILURE.CONNECT || kind === FAILURE.CONNECT_TIMEOUT;
    if (this.retry.onFailure(kind, this.method) && !this.bodyOverflow && this.upgrade === undefined) {
      if (this.attempts <= this.retry.numRetries) {
        if (this.cluster!.canRetry(this.retry.isDefault, Date.now())) {
          this.detail = detail;
          return this.scheduleRetry();
        }
        this.cluster!.stats.upstream_rq_retry_overflow++;
      } else if (this.attempts > 1) {
        this.flags |= FLAG.URX;
        this.cluster!.stats.upstream_rq_retry_limit_exceeded++;
      }
    }
    const flag = connect ? FLAG.UF : kind === FAILURE.PROTOCOL ? FLAG.UPE : FLAG.UC;
    this.localReply(503, `upstream connect error or disconnect/reset before headers. reset reason: ${detail}`, flag, connect ? 'upstream_reset_before_response_started{connection_failure}' : 'upstream_reset_before_response_started{connection_termination}');
  }

  private scheduleRetry(): void {
    const cluster = this.cluster!;
    cluster.stats.upstream_rq_retry++;
    this.prevHost = this.host;
    const delay = this.retry.backoffMs(this.attempts);
    cluster.activeRetries++;
    this.attemptIsRetry = true;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      if (!this.finished) this.attempt();
    }, delay);
  }

  /** Ends the current attempt's accounting; abort: throw away the upstream stream. */
  endAttempt(outcome: Outcome, abort: boolean): void {
    this.clearTryTimer();
    if (!this.attemptActive) return;
    this.attemptActive = false;
    const cluster = this.cluster!;
    const host = this.host!;
    cluster.activeRequests--;
    host.activeRequests--;
    cluster.stats.upstream_rq_active--;
    if (this.attemptIsRetry) {
      cluster.activeRetries--;
      this.attemptIsRetry = false;
    }
    if (this.pending) {
      this.pending = false;
      this.services.poolFor(cluster, host, 'http1').cancelPending(this);
      if (host.http2) this.services.poolFor(cluster, host, 'http2').cancelPending(this);
    }
    if (abort && this.stream !== undefined) {
      const s = this.stream;
      this.stream = undefined;
      s.abort();
    }
    if (outcome !== OUTCOME.SUCCESS) {
      host.rqErrors++;
      cluster.outlierDetector?.report(host, outcome);
    }
  }

  private clearTryTimer(): void {
    if (this.tryTimer !== undefined) {
      clearTimeout(this.tryTimer);
      this.tryTimer = undefined;
    }
  }

  private onTryTimeout(): void {
    this.tryTimer = undefined;
    if (this.finished || this.responseStarted) return;
    this.cluster!.stats.upstream_rq_per_try_timeout++;
    this.endAttempt(OUTCOME.LOCAL_ORIGIN, true);
    if (this.retry.onPerTryTimeout() && this.attempts <= this.retry.numRetries && !this.bodyOverflow && this.cluster!.canRetry(this.retry.isDefault, Date.now())) {
      return this.scheduleRetry();
    }
    if (this.attempts > 1) this.flags |= FLAG.URX;
    this.localReply(504, 'upstream request timeout', FLAG.UT, 'upstream_per_try_timeout');
  }

  private onRouteTimeout(): void {
    this.routeTimer = undefined;
    if (this.finished) return;
    if (this.cluster) this.cluster.stats.upstream_rq_timeout++;
    this.flags |= FLAG.UT;
    if (this.attemptActive) this.endAttempt(OUTCOME.LOCAL_ORIGIN, true);
    if (this.responseStarted) {
      this.detail = 'upstream_response_timeout';
      this.sink.reset();
      return this.finish();
    }
    this.localReply(504, 'upstream request timeout', 0, 'upstream_response_timeout');
  }

  // replies and completion ---------------------------------------------------

  /** A response made by the proxy itself. */
  localReply(status: number, body: string, flags: number, detail: string, extra?: string[]): void {
    sendLocalReply(this, status, body, flags, detail, extra);
  }

  /** A trailers-only gRPC response (status in the head). */
  grpcReply(grpcStatus: number, message: string, flags: number, extra?: string[]): void {
    sendGrpcReply(this, grpcStatus, message, flags, extra);
  }

  /** The downstream went away (connection closed or stream reset). */
  onDownstreamReset(): void {
    if (this.finished) return;
    this.flags |= FLAG.DC;
    this.detail = 'downstream_remote_disconnect';
    if (this.attemptActive) this.endAttempt(OUTCOME.SUCCESS, true);
    this.finish();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.routeTimer !== undefined) {
      clearTimeout(this.routeTimer);
      this.routeTimer = undefined;
    }
    if (this.waitTimer !== undefined) {
      clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
    }
    this.clearTryTimer();
    if (this.faultActive && this.filters) {
      const cfg = this.filters.fault ?? this.hcm.fault;
      if (cfg) endFault(this, cfg);
    }
    finishExchange(this, now() - this.startMs);
    this.sink.exchangeDone();
  }
}

function parseHostPort(v: string | undefined): { address: string; port: number } | undefined {
  if (!v) return undefined;
  const i = v.lastIndexOf(':');
  if (i <= 0) return undefined;
  const port = Number(v.slice(i + 1));
  const address = v.slice(0, i).replace(/^\[|\]$/g, '');
  return Number.isInteger(port) && port > 0 ? { address, port } : undefined;
}
