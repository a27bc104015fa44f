// An upstream host (one endpoint of a cluster): address, weight, health as
// EDS says, outlier state, live counters and its connection pools. Host
// objects survive endpoint updates that keep their address, so pools and
// ejections carry over.
import type { EndpointConfig, HealthStatus } from '@sextant/xds-client';

export interface HostPools {
  closeIdle(): void;
  drain(): void;
  readonly activeConnections: number;
}

export class Host {
  readonly key: string;
  weight: number;
  health: HealthStatus;
  priority: number;
  locality: string;
  hostname: string;
  workload: string;
  /** EDS metadata envoy.transport_socket_match (auto mTLS: {tlsMode: "istio"}). */
  socketMatch: Readonly<Record<string, string>> | undefined;
  /** Requests in flight to this host. */
  activeRequests = 0;
  /** Open upstream connections (HTTP/1.1 sockets, HTTP/2 sessions, TCP). */
  connections = 0;
  rqTotal = 0;
  rqErrors = 0;
  cxConnectFail = 0;
  // outlier detection
  ejected = false;
  ejectedAt = 0;
  ejectionCount = 0;
  ejectedInInterval = false;
  consecutive5xx = 0;
  consecutiveGatewayFailure = 0;
  consecutiveLocalOriginFailure = 0;
  /** Removed from the cluster; pools close once idle. */
  removed = false;
  http1: HostPools | undefined;
  http2: HostPools | undefined;

  constructor(
    readonly address: string,
    readonly port: number,
    ep?: Partial<EndpointConfig>,
    priority = 0,
    locality = '',
  ) {
    this.key = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    this.weight = Math.max(1, ep?.weight ?? 1);
    this.health = ep?.health ?? 'UNKNOWN';
    this.priority = priority;
    this.locality = locality;
    this.hostname = ep?.hostname ?? '';
    this.workload = ep?.workload ?? '';
    this.socketMatch = ep?.socketMatch;
  }

  /** EDS health allows traffic (UNKNOWN, HEALTHY, DEGRADED). */
  get edsHealthy(): boolean {
    return this.health === 'UNKNOWN' || this.health === 'HEALTHY' || this.health === 'DEGRADED';
  }

  /** Healthy for load balancing: EDS healthy and not ejected. */
  get usable(): boolean {
    return !this.ejected && this.edsHealthy;
  }

  closePools(): void {
    this.http1?.drain();
    this.http2?.drain();
  }
}
