// Debug and status data: plain objects, safe to serialize, built on demand.
// Pilot serves them over HTTP (/debug/syncz, /debug/connections).
import type { ConsistencyError } from './consistency';
import type { ProxyInfo } from './proxy-id';

export interface NackRecord {
  /** version_info of the rejected response. */
  version: string;
  /** Its nonce. */
  nonce: string;
  /** The version the client reported it still uses. */
  clientVersion: string;
  code: number;
  message: string;
  /** SotW: the request's resource_names (or, when wildcard, the names sent); delta: the names sent. */
  names: string[];
  at: string;
}

export interface TypeStatus {
  typeUrl: string;
  wildcard: boolean;
  /** Explicitly subscribed names. */
  subscribed: string[];
  versionSent?: string;
  nonceSent?: string;
  sentAt?: string;
  /** Resources in the last response (SotW) or known to the client (delta). */
  resources: number;
  versionAcked?: string;
  nonceAcked?: string;
  ackedAt?: string;
  /** acked: last response ACKed; nacked: last response NACKed; pending: no answer yet; none: nothing sent. */
  state: 'acked' | 'nacked' | 'pending' | 'none';
  lastNack?: NackRecord;
}

export interface ConnectionStatus {
  connectionId: string;
  protocol: 'sotw' | 'delta';
  peer: string;
  proxy?: ProxyInfo;
  /** Streams on an authenticated (TLS) port: the client certificate's identity. */
  security?: { transport: 'tls'; identity: string; serial: string };
  connectedSince: string;
  types: TypeStatus[];
  /** Resources the consistency check dropped from this proxy's last snapshot. */
  inconsistencies: ConsistencyError[];
  lastPushError?: { message: string; at: string };
  queue: {
    requests: number;
    pushPending: boolean;
    inFlightResponses: number;
    /** Since when sending waits for the client to read. */
    blockedSince?: string;
    /** A push holding its LDS/RDS until these ClusterLoadAssignments are sent. */
    waitingForEndpoints?: string[];
    waitingSince?: string;
  };
}

export const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
