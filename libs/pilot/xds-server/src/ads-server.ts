// The ADS server: registers envoy.service.discovery.v3.AggregatedDiscoveryService
// (SotW and delta) on a gRPC server the caller owns, serves each proxy the
// snapshot its SnapshotSource generates, and fans pushes out to streams.
//
// Push order within one push: CDS, EDS, LDS, RDS, SDS, then any other type
// (Envoy's make-before-break guidance; Istio's order). Removals go last:
// SotW keeps removed clusters in a first CDS response and drops them in a
// second one after LDS/RDS; delta sends removed_resources after all updates.
// No step waits for an ACK: responses on one ADS stream arrive in order,
// Envoy pauses EDS while it applies CDS and CDS while clusters warm, and
// waiting for ACKs would stall proxyless gRPC clients, which subscribe
// top-down (LDS, RDS, CDS, EDS). What does wait: a push that brings new EDS
// clusters holds its LDS/RDS until the client has asked for, and been sent,
// their endpoints (routes are not warmed; see connection.ts), at most
// clusterWarmTimeoutMs. After a CDS response that adds or changes EDS
// clusters, the subscribed endpoints are sent again even when unchanged:
// Envoy finishes warming an updated cluster only on a new EDS response.
import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { type AggregatedDiscoveryServiceHandlers, TYPE_URL, adsServiceDefinition } from '@sextant/proto';
import type { Logger } from '@sextant/util';
import { type AdsConnection, type ConnectionContext } from './connection';
import { DeltaConnection } from './delta-stream';
import { enableFramedWrites } from './framed-writes';
import { EncodedResponse, encodeDiscoveryResponse } from './response-encoder';
import { sharedNamesDeserializer } from './request-names';
import { XdsError } from './errors';
import type { XdsMetrics } from './metrics';
import type { PushRequest } from './push-request';
import type { SnapshotSource } from './snapshot';
import { SotwConnection } from './sotw-stream';
import type { ConnectionStatus } from './status';
import type { XdsAuthorizer } from './tls-auth';

export const DEFAULT_PUSH_ORDER: readonly string[] = [TYPE_URL.cluster, TYPE_URL.endpoint, TYPE_URL.listener, TYPE_URL.route, TYPE_URL.virtualHost, TYPE_URL.secret];

export interface AdsServerOptions {
  source: SnapshotSource;
  /** The caller's logger; the server logs under a child with scope "xds". */
  logger: Logger;
  metrics?: XdsMetrics;
  /** SotW types whose responses carry the full subscribed set (default LDS, CDS). */
  fullStateTypes?: Iterable<string>;
  /** Close a stream whose client reads nothing for this long (default 30 s). */
  sendTimeoutMs?: number;
  /** Longest a push holds LDS/RDS while new clusters wait for their endpoints (default 5 s). */
  clusterWarmTimeoutMs?: number;
  /** Requests one stream may queue before it is closed (default 1000). */
  maxQueuedRequests?: number;
  /** Unflushed responses per stream before sending waits (default 4). */
  maxInFlightResponses?: number;
  /** Reject resource objects with unknown fields (default true). */
  strictEncoding?: boolean;
  /** Sent as control_plane.identifier in responses. */
  controlPlaneId?: string;
  /** Serve RDS through VHDS to Delta clients whose node metadata sets SEXTANT_VHDS=true (default true). */
  vhds?: boolean;
  /** Milliseconds clock, for tests (default Date.now). */
  now?: () => number;
}

export class AdsServer {
  /** Every open stream, initialized or not (pushes go to all). */
  private readonly streams = new Set<AdsConnection>();
  /** Streams whose proxy is known (status, metrics). */
  private readonly connections = new Set<AdsConnection>();
  private readonly ctx: ConnectionContext;
  private readonly log: Logger;
  private nonceSeq = 0;

  constructor(options: AdsServerOptions) {
    this.log = options.logger.child({ scope: 'xds' });
    const noncePrefix = randomBytes(4).toString('hex');
    this.ctx = {
      source: options.source,
      logger: this.log,
      metrics: options.metrics ?? {},
      now: options.now ?? Date.now,
      nonce: () => `${noncePrefix}-${(++this.nonceSeq).toString(36)}`,
      pushOrder: DEFAULT_PUSH_ORDER,
      fullStateTypes: new Set(options.fullStateTypes ?? [TYPE_URL.listener, TYPE_URL.cluster]),
      sendTimeoutMs: options.sendTimeoutMs ?? 30_000,
      clusterWarmTimeoutMs: options.clusterWarmTimeoutMs ?? 5_000,
      maxQueuedRequests: options.maxQueuedRequests ?? 1000,
      maxInFlightResponses: options.maxInFlightResponses ?? 4,
      strictEncoding: options.strictEncoding ?? true,
      vhds: options.vhds ?? true,
      ...(options.controlPlaneId ? { controlPlaneId: options.controlPlaneId } : {}),
      track: (conn) => {
        this.streams.add(conn);
      },
      register: (conn) => {
        this.connections.add(conn);
        this.ctx.metrics.connections?.(this.connections.size);
      },
      unregister: (conn) => {
        this.streams.delete(conn);
        if (this.connections.delete(conn)) this.ctx.metrics.connections?.(this.connections.size);
      },
    };
  }

  /**
   * Registers the ADS service (both methods) on the caller's gRPC server. The
   * same AdsServer may serve several servers (Pilot: 15010 plaintext, 15012
   * TLS); `authorize` checks every stream of that server (see tls-auth.ts).
   */
  attach(server: grpc.Server, options: { authorize?: XdsAuthorizer } = {}): void {
    const ctx: ConnectionContext = options.authorize ? { ...this.ctx, authorize: options.authorize } : this.ctx;
    const handlers: AggregatedDiscoveryServiceHandlers = {
      StreamAggregatedResources: (call) => {
        // Shared response bodies go out without a copy per stream where grpc-js allows it.
        enableFramedWrites(call);
        new SotwConnection(ctx, call, 'sotw');
      },
      DeltaAggregatedResources: (call) => {
        enableFramedWrites(call);
        new DeltaConnection(ctx, call as never, 'delta');
      },
    };
    // SotW responses go through the cached-Any encoder (same bytes, one copy per response); EncodedResponse
    // messages that do not take the framed path are serialized as body + tail.
    const def = adsServiceDefinition().service as unknown as Record<string, grpc.MethodDefinition<unknown, unknown>>;
    const sotw = def['StreamAggregatedResources']!;
    const generic = sotw.responseSerialize;
    // Requests: a repeated subscription (Envoy's EDS names in every ACK) is decoded once and shared (see request-names.ts).
    const requestDeserialize = sharedNamesDeserializer(sotw.requestDeserialize as (buf: Buffer) => { resourceNames: string[] });
    // Delta responses are EncodedResponses (shared body, own tail): serialized as body + tail off the framed path.
    const delta = def['DeltaAggregatedResources']!;
    const deltaGeneric = delta.responseSerialize;
    const service = {
      ...def,
      StreamAggregatedResources: { ...sotw, requestDeserialize, responseSerialize: (v: unknown) => encodeDiscoveryResponse(v) ?? generic(v) },
      DeltaAggregatedResources: { ...delta, responseSerialize: (v: unknown) => (v instanceof EncodedResponse ? v.bytes() : deltaGeneric(v)) },
    };
    server.addService(service as unknown as grpc.ServiceDefinition, handlers);
  }

  /** Fans a (debounced) change out to every connected proxy it names. Never blocks. */
  push(request: PushRequest): void {
    let queued = 0;
    for (const conn of this.streams) {
      if (request.proxies && conn.proxy && !request.proxies.has(conn.proxy.id)) continue;
      conn.enqueuePush(request);
      queued++;
    }
    this.log.debug({ full: request.full, types: request.types ? [...request.types] : 'all', reason: request.reason, queued }, 'push');
  }

  /** Connected streams (with a known proxy). */
  get connectedCount(): number {
    return this.connections.size;
  }

  /** Connected streams authenticated on a TLS port (by client certificate). */
  get authenticatedCount(): number {
    let n = 0;
    for (const c of this.connections) if (c.security) n++;
    return n;
  }

  /** Status of every connected stream. */
  status(): ConnectionStatus[] {
    return [...this.connections].map((c) => c.status());
  }

  /** Status of the streams of one proxy id (usually one). */
  statusOf(proxyId: string): ConnectionStatus[] {
    return [...this.connections].filter((c) => c.proxy?.id === proxyId).map((c) => c.status());
  }

  /** Ends every stream with UNAVAILABLE; clients reconnect (to another Pilot). */
  close(): void {
    for (const conn of [...this.streams]) conn.fail(new XdsError('XDS_SERVER_CLOSING_UNAVAILABLE', 'xDS server shutting down'));
  }
}

/** Creates an AdsServer and attaches it to `server`. */
export function addAdsService(server: grpc.Server, options: AdsServerOptions): AdsServer {
  const ads = new AdsServer(options);
  ads.attach(server);
  return ads;
}
