// Metrics hooks. The server calls these callbacks; `prometheusXdsMetrics`
// implements them with prom-client under Istio's metric names, so existing
// Istio dashboards and alerts read Sextant's Pilot unchanged.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ConsistencyError } from './consistency';
import type { ProxyInfo } from './proxy-id';

export interface XdsMetrics {
  /** Connected streams, after each connect or disconnect. */
  connections?(count: number): void;
  /** One response sent. */
  pushed?(typeUrl: string, info: { resources: number; removed: number; bytes: number }): void;
  /** One connection's push: snapshot generation, check and sending, in ms. */
  pushTime?(ms: number, info: { full: boolean }): void;
  /** A response ACKed: ms from the change that caused it (PushRequest.start) to the ACK. */
  converged?(typeUrl: string, ms: number): void;
  nacked?(typeUrl: string, proxy: ProxyInfo, message: string): void;
  inconsistent?(error: ConsistencyError, proxy: ProxyInfo): void;
}

const shortType = (typeUrl: string) => {
  const n = typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  return ({ Listener: 'lds', RouteConfiguration: 'rds', Cluster: 'cds', ClusterLoadAssignment: 'eds', Secret: 'sds', VirtualHost: 'vhds' } as Record<string, string>)[n] ?? n;
};

/** prom-client implementation (Istio's names: pilot_xds, pilot_xds_pushes, pilot_proxy_convergence_time, ...). */
export function prometheusXdsMetrics(registry: Registry): XdsMetrics {
  const registers = [registry];
  const connected = new Gauge({ name: 'pilot_xds', help: 'Number of connected xDS streams.', registers });
  const pushes = new Counter({ name: 'pilot_xds_pushes', help: 'xDS responses sent, by type.', labelNames: ['type'], registers });
  const bytes = new Counter({ name: 'pilot_xds_config_size_bytes_total', help: 'Bytes of resources sent, by type.', labelNames: ['type'], registers });
  const pushTime = new Histogram({
    name: 'pilot_xds_push_time',
    help: 'Seconds to generate and send one connection push.',
    labelNames: ['full'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 3, 5, 10, 20, 30],
    registers,
  });
  const convergence = new Histogram({
    name: 'pilot_proxy_convergence_time',
    help: 'Seconds from a config or endpoint change to the proxy ACKing it.',
    labelNames: ['type'],
    buckets: [0.1, 0.5, 1, 3, 5, 10, 20, 30],
    registers,
  });
  const rejects = new Counter({ name: 'pilot_total_xds_rejects', help: 'NACKs received, by type.', labelNames: ['type'], registers });
  const inconsistent = new Counter({
    name: 'pilot_xds_inconsistent_resources',
    help: 'Resources dropped by the consistency check before sending, by type.',
    labelNames: ['type'],
    registers,
  });
  return {
    connections: (n) => connected.set(n),
    pushed: (t, info) => {
      pushes.inc({ type: shortType(t) });
      bytes.inc({ type: shortType(t) }, info.bytes);
    },
    pushTime: (ms, info) => pushTime.observe({ full: String(info.full) }, ms / 1000),
    converged: (t, ms) => convergence.observe({ type: shortType(t) }, ms / 1000),
    nacked: (t) => rejects.inc({ type: shortType(t) }),
    inconsistent: (e) => inconsistent.inc({ type: shortType(e.typeUrl) }),
  };
}
