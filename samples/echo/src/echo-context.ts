// What every echo server of one instance shares: who it is, its counters,
// its logger and the client for outbound calls through the mesh.
import type { Logger } from '@sextant/util';
import type { MeshClient, WorkloadIdentity } from '@sextant/workloads';
import type { EchoStats } from './behaviour';

export interface EchoContext {
  identity: WorkloadIdentity;
  stats: EchoStats;
  log: Logger;
  mesh: MeshClient;
  /** TCP ports: written before the first echoed bytes of each connection (like Istio's tcp-echo "one "). */
  tcpPrefix?: string;
}

/** A started listener. `close` stops accepting, lets in-flight work finish, then resolves. */
export interface RunningServer {
  protocol: 'HTTP' | 'HTTP2' | 'GRPC' | 'TCP';
  address: string;
  port: number;
  close(graceMs?: number): Promise<void>;
}

/** Identity response headers set on every HTTP answer. */
export function identityHeaders(identity: WorkloadIdentity): Record<string, string> {
  return {
    'x-echo-service': identity.service,
    'x-echo-version': identity.version,
    'x-echo-instance': identity.instance,
  };
}
