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
import { getHeader } from './headers';
import type { Host } from './host';
import { armRouteTimer, armTryTimer, clearTimers, clearTryTimer, endAttempt, responseOutcome, retryOnResponse, startAttempt, upstreamFailure } from './exchange-attempts';
import type { ActiveConfig, ConnInfo, HcmRuntime, ProxyServices } from './http-context';
import type { MatchInput } from './matchers';
import { startMirrors } from './mirror';
import { OUTCOME, type Outcome } from './outlier-detector';
import { UNKNOWN_PEER, type PeerLabels } from './peer-metadata';
import { redirectLocation, type FormatContext } from './request-mutations';
import { runSecurity } from './security-filters';
import { FLAG } from './response-flags';
import { compileRetryPolicy, grpcStatusOf, type CompiledRetryPolicy } from './retry-policy';
import { isGrpc, type CompiledRoute, type RouteFilters } from './route-matcher';
import { type Failure, type RequestHead, type UpstreamHandler, type UpstreamStream } from './upstream';

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
    if (!runSecurity(this, () => this.routeRequest())) this.routeRequest();
  }

  /** After authentication and authorization: route, direct responses, then the other filters. */
  private routeRequest(): void {
    const hcm = this.hcm;
    const table = hcm.routeTable(this.active);
    const route = table?.match(this);
    if (route === undefined) return this.localReply(404, '', FLAG.NR, 'route_not_found');
    this.route = route;
    const tls = route.vhost.config.requireTls;
    if (tls !== undefined && !this.conn.secure && (tls === 'ALL' || getHeader(this.headers, 'x-envoy-internal') !== 'true')) {
      return this.localReply(301, '', 0, 'via_ssl_redirect', ['location', `https://${this.authority}${this.path}`]);
    }
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
    startAttempt(this);
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
    // Ends with the head only when the whole request is known to be bodiless now;
    // otherwise the end (even of a bodiless request) follows in sendEnd.
    const endWithHead = bodyDone && (buffered === undefined || buffered.length === 0);
    stream.sendHead(this.upstreamHead!, endWithHead);
    if (buffered !== undefined) for (const c of buffered) stream.sendData(c);
    if (this.bodyOverflow) {
      this.body = [];
      this.onUpstreamDrain();
    }
    if (bodyDone) {
      if (!endWithHead) stream.sendEnd();
      armTryTimer(this);
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
    if (this.requestEnded) return;
    this.requestEnded = true;
    if (this.finished) return;
    armRouteTimer(this);
    if (this.cluster !== undefined && this.route!.mirrors.length > 0) startMirrors(this);
    const s = this.stream;
    if (s !== undefined && this.attemptActive) {
      // The head went out before the request ended (bodiless or not): the upstream
      // request ends now. An HTTP/2 upstream stream would otherwise stay open forever.
      s.sendEnd();
      armTryTimer(this);
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

  /** The response head; end: the response is complete with it (HTTP/2 HEADERS with END_STREAM, e.g. gRPC Trailers-Only). */
  onUpstreamHead(status: number, headers: string[], end = false): void {
    if (this.finished) return;
    const grpcStatus = this.grpc ? grpcStatusOf(headers) : -1;
    if (!this.responseStarted && retryOnResponse(this, status, headers, grpcStatus)) return;
    clearTryTimer(this);
    this.status = status;
    this.grpcStatus = grpcStatus;
    this.upstreamServiceMs = now() - this.attemptStart;
    this.cluster!.outlierDetector?.report(this.host!, responseOutcome(status));
    prepareResponseHeaders(this, headers);
    this.responseStarted = true;
    if (end) {
      this.stream = undefined;
      endAttempt(this, OUTCOME.SUCCESS, false);
    }
    this.sink.sendHead(status, headers, end);
    if (end) this.finish();
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
    upstreamFailure(this, kind, detail);
  }

  /** Ends the current attempt's accounting; abort: throw away the upstream stream. */
  endAttempt(outcome: Outcome, abort: boolean): void {
    endAttempt(this, outcome, abort);
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
    clearTimers(this);
    if (this.faultActive && this.filters) {
      const cfg = this.filters.fault ?? this.hcm.fault;
      if (cfg) endFault(this, cfg);
    }
    finishExchange(this, now() - this.startMs);
    this.sink.exchangeDone();
  }
}
