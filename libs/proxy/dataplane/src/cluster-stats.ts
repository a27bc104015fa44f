// Envoy-like per-cluster counters, plain numbers bumped on the data path
// and rendered only when /stats is read.
export class ClusterStats {
  upstream_rq_total = 0;
  upstream_rq_active = 0;
  upstream_rq_pending_total = 0;
  upstream_rq_pending_active = 0;
  upstream_rq_pending_overflow = 0;
  upstream_rq_completed = 0;
  upstream_rq_1xx = 0;
  upstream_rq_2xx = 0;
  upstream_rq_3xx = 0;
  upstream_rq_4xx = 0;
  upstream_rq_5xx = 0;
  upstream_rq_timeout = 0;
  upstream_rq_per_try_timeout = 0;
  upstream_rq_retry = 0;
  upstream_rq_retry_success = 0;
  upstream_rq_retry_overflow = 0;
  upstream_rq_retry_limit_exceeded = 0;
  upstream_rq_rx_reset = 0;
  upstream_rq_tx_reset = 0;
  upstream_rq_maintenance_mode = 0;
  upstream_cx_total = 0;
  upstream_cx_active = 0;
  upstream_cx_connect_fail = 0;
  upstream_cx_connect_timeout = 0;
  upstream_cx_overflow = 0;
  upstream_cx_destroy = 0;
  upstream_cx_max_requests = 0;
  upstream_cx_idle_timeout = 0;
  upstream_cx_rx_bytes_total = 0;
  upstream_cx_tx_bytes_total = 0;
  upstream_cx_none_healthy = 0;
  /** outlier_detection.* */
  ejectionsActive = 0;
  ejectionsTotal = 0;
  ejectionsConsecutive5xx = 0;
  ejectionsGateway = 0;
  ejectionsLocalOrigin = 0;
  membership_total = 0;
  membership_healthy = 0;
  membership_degraded = 0;

  countStatus(status: number): void {
    if (status < 200) this.upstream_rq_1xx++;
    else if (status < 300) this.upstream_rq_2xx++;
    else if (status < 400) this.upstream_rq_3xx++;
    else if (status < 500) this.upstream_rq_4xx++;
    else this.upstream_rq_5xx++;
  }

  /** [name, value] pairs with Envoy's stat names (outlier_detection.* included). */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (typeof v !== 'number') continue;
      if (k.startsWith('ejections')) {
        const name = { ejectionsActive: 'ejections_active', ejectionsTotal: 'ejections_total', ejectionsConsecutive5xx: 'ejections_enforced_consecutive_5xx', ejectionsGateway: 'ejections_enforced_consecutive_gateway_failure', ejectionsLocalOrigin: 'ejections_enforced_consecutive_local_origin_failure' }[k];
        if (name) out.push([`outlier_detection.${name}`, v]);
      } else out.push([k, v]);
    }
    return out;
  }
}
