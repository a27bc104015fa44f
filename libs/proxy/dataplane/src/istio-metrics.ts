// Istio's standard metrics (istio_requests_total, istio_request_duration_milliseconds,
// istio_request_bytes, istio_response_bytes, istio_tcp_*) with Istio's
// labels. Series are found through maps keyed by interned objects and small
// integers, so recording allocates nothing after the first request of a
// series; label strings are built only when Prometheus scrapes.
import type { DestinationService } from './cluster-runtime';
import type { PeerLabels } from './peer-metadata';
import { flagsToString } from './response-flags';

export const DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
export const SIZE_BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

export type Reporter = 'source' | 'destination';

class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    if (i < b.length) this.counts[i]! += 1;
    this.sum += v;
    this.count++;
  }
}

class RequestSeries {
  count = 0;
  readonly duration = new Histogram(DURATION_BUCKETS_MS);
  readonly requestBytes = new Histogram(SIZE_BUCKETS);
  readonly responseBytes = new Histogram(SIZE_BUCKETS);
  constructor(
    readonly code: number,
    readonly grpcStatus: number,
    readonly flags: number,
  ) {}
}

/** The fixed labels of a group of series: who reported, who talked to whom, over what. */
export class SeriesGroup {
  readonly series = new Map<number, RequestSeries>();
  tcpSent = 0;
  tcpReceived = 0;
  tcpOpened = 0;
  tcpClosed = 0;
  constructor(
    readonly reporter: Reporter,
    readonly source: PeerLabels,
    readonly destination: PeerLabels,
    readonly service: DestinationService | undefined,
    readonly protocol: 'http' | 'grpc' | 'tcp',
    /** connection_security_policy: mutual_tls / none (destination reporter), unknown (source reporter). */
    readonly security: SecurityPolicy = reporter === 'source' ? 'unknown' : 'none',
  ) {}

  record(code: number, grpcStatus: number, flags: number, durationMs: number, requestBytes: number, responseBytes: number): void {
    const key = (code * 32 + (grpcStatus + 1)) * 524288 + flags;
    let s = this.series.get(key);
    if (s === undefined) {
      s = new RequestSeries(code, grpcStatus, flags);
      this.series.set(key, s);
    }
    s.count++;
    s.duration.observe(durationMs);
    s.requestBytes.observe(requestBytes);
    s.responseBytes.observe(responseBytes);
  }
}

type Level<K, V> = Map<K, V>;

export type SecurityPolicy = 'mutual_tls' | 'none' | 'unknown';

/** Istio's connection_security_policy: the destination reporter knows whether the request came over mTLS (a verified peer certificate); the source reporter says unknown. */
export function securityPolicyOf(reporter: Reporter, conn: { peerPrincipal?: string; secure?: boolean } | undefined): SecurityPolicy {
  if (reporter === 'source') return 'unknown';
  return conn?.secure === true && conn.peerPrincipal !== undefined ? 'mutual_tls' : 'none';
}

export class IstioMetrics {
  private readonly groups: Level<Reporter, Level<PeerLabels, Level<PeerLabels, Level<DestinationService | undefined, Level<string, SeriesGroup>>>>> = new Map();

  group(reporter: Reporter, source: PeerLabels, destination: PeerLabels, service: DestinationService | undefined, protocol: 'http' | 'grpc' | 'tcp', security: SecurityPolicy = reporter === 'source' ? 'unknown' : 'none'): SeriesGroup {
    let a = this.groups.get(reporter);
    if (!a) this.groups.set(reporter, (a = new Map()));
    let b = a.get(source);
    if (!b) a.set(source, (b = new Map()));
    let c = b.get(destination);
    if (!c) b.set(destination, (c = new Map()));
    let d = c.get(service);
    if (!d) c.set(service, (d = new Map()));
    const key = `${protocol}/${security}`;
    let g = d.get(key);
    if (!g) d.set(key, (g = new SeriesGroup(reporter, source, destination, service, protocol, security)));
    return g;
  }

  *allGroups(): Generator<SeriesGroup> {
    for (const a of this.groups.values()) for (const b of a.values()) for (const c of b.values()) for (const d of c.values()) for (const g of d.values()) yield g;
  }

  /** Prometheus text for every Istio series. */
  render(): string {
    const lines: string[] = [];
    const type = (name: string, kind: string) => lines.push(`# TYPE ${name} ${kind}`);
    const groups = [...this.allGroups()];
    const base = (g: SeriesGroup) => {
      const s = g.source;
      const d = g.destination;
      const svc = g.service;
      return [
        ['reporter', g.reporter],
        ['source_workload', s.workload],
        ['source_workload_namespace', s.namespace],
        ['source_principal', s.principal],
        ['source_app', s.app],
        ['source_version', s.version],
        ['source_canonical_service', s.canonicalService],
        ['source_canonical_revision', s.canonicalRevision],
        ['source_cluster', s.cluster],
        ['destination_workload', d.workload],
        ['destination_workload_namespace', d.namespace],
        ['destination_principal', d.principal],
        ['destination_app', d.app],
        ['destination_version', d.version],
        ['destination_service', svc?.host ?? 'unknown'],
        ['destination_service_name', svc?.name ?? 'unknown'],
        ['destination_service_namespace', svc?.namespace ?? 'unknown'],
        ['destination_canonical_service', d.canonicalService],
        ['destination_canonical_revision', d.canonicalRevision],
        ['destination_cluster', d.cluster],
        ['request_protocol', g.protocol],
        ['connection_security_policy', g.security],
      ];
    };
    const fmt = (labels: string[][]) => labels.map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
    const http = groups.filter((g) => g.protocol !== 'tcp');
    const perSeries = (g: SeriesGroup, s: RequestSeries) => [
      ...base(g),
      ['response_code', String(s.code)],
      ['grpc_response_status', s.grpcStatus >= 0 ? String(s.grpcStatus) : ''],
      ['response_flags', flagsToString(s.flags)],
    ];
    type('istio_requests_total', 'counter');
    for (const g of http) for (const s of g.series.values()) lines.push(`istio_requests_total{${fmt(perSeries(g, s))}} ${s.count}`);
    const hist = (name: string, pick: (s: RequestSeries) => Histogram) => {
      type(name, 'histogram');
      for (const g of http) {
        for (const s of g.series.values()) {
          const h = pick(s);
          const labels = fmt(perSeries(g, s));
          let cum = 0;
          h.bounds.forEach((b, i) => {
            cum += h.counts[i]!;
            lines.push(`${name}_bucket{${labels},le="${b}"} ${cum}`);
          });
          lines.push(`${name}_bucket{${labels},le="+Inf"} ${h.count}`);
          lines.push(`${name}_sum{${labels}} ${h.sum}`);
          lines.push(`${name}_count{${labels}} ${h.count}`);
        }
      }
    };
    hist('istio_request_duration_milliseconds', (s) => s.duration);
    hist('istio_request_bytes', (s) => s.requestBytes);
    hist('istio_response_bytes', (s) => s.responseBytes);
    const tcp = groups.filter((g) => g.protocol === 'tcp');
    const counter = (name: string, pick: (g: SeriesGroup) => number) => {
      type(name, 'counter');
      for (const g of tcp) lines.push(`${name}{${fmt([...base(g), ['response_flags', '-']])}} ${pick(g)}`);
    };
    counter('istio_tcp_sent_bytes_total', (g) => g.tcpSent);
    counter('istio_tcp_received_bytes_total', (g) => g.tcpReceived);
    counter('istio_tcp_connections_opened_total', (g) => g.tcpOpened);
    counter('istio_tcp_connections_closed_total', (g) => g.tcpClosed);
    return `${lines.join('\n')}\n`;
  }
}
