// Envoy-like stats of the whole proxy, gathered only when read: cluster
// counters, connection-manager counters, listener and server gauges. Text
// for /stats, Prometheus for /stats/prometheus (next to Istio's metrics).
import type { Dataplane } from './dataplane';
import { hcmRuntime } from './hcm-registry';
import type { HcmRuntime } from './http-context';
import { directionOf } from './explicit-proxy';
import { securityStatEntries } from './security-stats';

export interface XdsStatsSource {
  status(): { connected: boolean; types: Record<string, { acks: number; nacks: number; version: string }> };
}

interface HcmStatsView {
  config: { statPrefix: string };
  stats: Record<string, number>;
}

/** Connection-manager stats by stat prefix: the chains sharing a prefix (Istio's mTLS and plaintext chains of one port) add up, like Envoy's stats scopes. */
function hcms(dp: Dataplane): HcmStatsView[] {
  const byPrefix = new Map<string, Set<HcmRuntime>>();
  for (const l of dp.active().snapshot.listeners.values()) {
    const chains = l.defaultFilterChain ? [...l.filterChains, l.defaultFilterChain] : l.filterChains;
    for (const c of chains) {
      if (c.filter.kind !== 'http') continue;
      let set = byPrefix.get(c.filter.statPrefix);
      if (!set) byPrefix.set(c.filter.statPrefix, (set = new Set()));
      set.add(hcmRuntime(c.filter, directionOf(l), l.name));
    }
  }
  return [...byPrefix].map(([statPrefix, set]) => {
    const stats: Record<string, number> = {};
    for (const rt of set) for (const [k, v] of Object.entries(rt.stats)) stats[k] = (stats[k] ?? 0) + v;
    return { config: { statPrefix }, stats };
  });
}

/** [name, value] in Envoy's naming. */
export function statEntries(dp: Dataplane, xds?: XdsStatsSource): [string, number][] {
  const out: [string, number][] = [];
  for (const c of dp.active().clusters.values()) {
    for (const [k, v] of c.stats.entries()) out.push([`cluster.${c.name}.${k}`, v]);
    out.push([`cluster.${c.name}.circuit_breakers.default.rq_open`, c.activeRequests >= c.config.thresholds.maxRequests ? 1 : 0]);
    out.push([`cluster.${c.name}.circuit_breakers.default.cx_open`, c.activeConnections >= c.config.thresholds.maxConnections ? 1 : 0]);
    out.push([`cluster.${c.name}.circuit_breakers.default.rq_pending_open`, c.pendingRequests >= c.config.thresholds.maxPendingRequests ? 1 : 0]);
  }
  for (const h of hcms(dp)) for (const [k, v] of Object.entries(h.stats)) out.push([`http.${h.config.statPrefix}.${k}`, v]);
  out.push(...securityStatEntries(dp));
  for (const [k, v] of Object.entries(dp.tls.stats)) out.push([`ssl.${k}`, v]);
  out.push(['listener_manager.total_listeners_active', dp.listeners.listenerNames.length]);
  out.push(['cluster_manager.active_clusters', dp.active().clusters.size]);
  out.push(['server.live', dp.draining ? 0 : 1]);
  out.push(['server.uptime', Math.floor((Date.now() - dp.startedAt) / 1000)]);
  out.push(['server.memory_allocated', process.memoryUsage().heapUsed]);
  out.push(['server.memory_physical_size', process.memoryUsage().rss]);
  out.push(['server.total_connections', dp.listeners.openConnections()]);
  out.push(['server.access_log_dropped', dp.accessLog.dropped]);
  out.push(['server.access_log_audited', dp.accessLog.audited]);
  if (xds) {
    const st = xds.status();
    out.push(['control_plane.connected_state', st.connected ? 1 : 0]);
    for (const [type, t] of Object.entries(st.types)) {
      const prefix = { lds: 'listener_manager.lds', cds: 'cluster_manager.cds', rds: 'http.rds', eds: 'cluster_manager.eds', sds: 'sds' }[type] ?? type;
      out.push([`${prefix}.update_success`, t.acks]);
      out.push([`${prefix}.update_rejected`, t.nacks]);
    }
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function statsText(dp: Dataplane, xds?: XdsStatsSource, filter?: string): string {
  const re = filter ? safeRegex(filter) : undefined;
  return (
    statEntries(dp, xds)
      .filter(([n]) => !re || re.test(n))
      .map(([n, v]) => `${n}: ${v}`)
      .join('\n') + '\n'
  );
}

function safeRegex(s: string): RegExp | undefined {
  try {
    return new RegExp(s);
  } catch {
    return undefined;
  }
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** Envoy's stats in Prometheus form (envoy_cluster_upstream_rq_total{cluster_name="..."}), then Istio's. */
export function statsPrometheus(dp: Dataplane, xds?: XdsStatsSource): string {
  const lines: string[] = [];
  const typed = new Set<string>();
  const emit = (name: string, labels: string, v: number) => {
    if (!typed.has(name)) {
      typed.add(name);
      lines.push(`# TYPE ${name} ${/_active$|^envoy_server_|_open$|membership/.test(name) ? 'gauge' : 'counter'}`);
    }
    lines.push(`${name}${labels ? `{${labels}}` : ''} ${v}`);
  };
  for (const [n, v] of statEntries(dp, xds)) {
    if (n.startsWith('cluster.') && !n.startsWith('cluster_manager.')) {
      const rest = n.slice('cluster.'.length);
      // Cluster names contain dots and pipes; the stat is everything after the name.
      const c = [...dp.active().clusters.keys()].find((k) => rest.startsWith(`${k}.`));
      if (c) {
        emit(`envoy_cluster_${rest.slice(c.length + 1).replace(/\./g, '_')}`, `cluster_name="${esc(c)}"`, v);
        continue;
      }
    }
    if (n.startsWith('http.')) {
      const h = hcms(dp).find((x) => n.startsWith(`http.${x.config.statPrefix}.`));
      if (h) {
        emit(`envoy_http_${n.slice(`http.${h.config.statPrefix}.`.length)}`, `http_conn_manager_prefix="${esc(h.config.statPrefix)}"`, v);
        continue;
      }
    }
    emit(`envoy_${n.replace(/\./g, '_')}`, '', v);
  }
  return `${lines.join('\n')}\n${dp.metrics.render()}`;
}
