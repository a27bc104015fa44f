// The proxy's Envoy-like admin endpoints, as plain route handlers the app
// mounts on its admin server (15000), plus the small health server (15021,
// /healthz/ready like Istio's agent) built on node:http.
import http, { type Server } from 'node:http';
import type { Dataplane } from './dataplane';
import { statsPrometheus, statsText, type XdsStatsSource } from './proxy-stats';

export interface AdminResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface AdminRoute {
  method: 'GET' | 'POST';
  path: string;
  help: string;
  handle(query: URLSearchParams): AdminResponse | Promise<AdminResponse>;
}

export interface AdminDeps {
  dataplane: Dataplane;
  xds?: XdsStatsSource & { ready: boolean; configDump(): unknown };
  /** Sets the root log level; returns the level now in force. */
  setLogLevel?(level: string): string;
  logLevel?(): string;
  /** /quitquitquit: exit the process (after draining). */
  quit?(): void;
  /** Readiness beyond configuration (e.g. the control plane connection). */
  extraReady?(): { ready: boolean; detail?: string };
  serverInfo?: Record<string, unknown>;
}

const text = (status: number, body: string): AdminResponse => ({ status, contentType: 'text/plain; charset=utf-8', body });
const json = (status: number, body: unknown): AdminResponse => ({ status, contentType: 'application/json', body: `${JSON.stringify(body, null, 2)}\n` });

export function isReady(deps: AdminDeps): { ready: boolean; state: string } {
  if (deps.dataplane.draining) return { ready: false, state: 'DRAINING' };
  const xdsReady = deps.xds ? deps.xds.ready : true;
  const extra = deps.extraReady?.() ?? { ready: true };
  return xdsReady && extra.ready ? { ready: true, state: 'LIVE' } : { ready: false, state: 'PRE_INITIALIZING' };
}

function clustersText(dp: Dataplane): string {
  const lines: string[] = [];
  for (const c of dp.active().clusters.values()) {
    const t = c.config.thresholds;
    lines.push(`${c.name}::default_priority::max_connections::${t.maxConnections}`, `${c.name}::default_priority::max_pending_requests::${t.maxPendingRequests}`, `${c.name}::default_priority::max_requests::${t.maxRequests}`, `${c.name}::default_priority::max_retries::${t.maxRetries}`);
    for (const h of c.allHosts()) {
      const flags = [h.ejected ? '/failed_outlier_check' : '', h.edsHealthy ? '' : '/failed_eds_health'].join('') || 'healthy';
      const p = `${c.name}::${h.key}`;
      lines.push(`${p}::cx_active::${h.connections}`, `${p}::cx_connect_fail::${h.cxConnectFail}`, `${p}::rq_active::${h.activeRequests}`, `${p}::rq_error::${h.rqErrors}`, `${p}::rq_total::${h.rqTotal}`, `${p}::health_flags::${flags}`, `${p}::weight::${h.weight}`, `${p}::priority::${h.priority}`, `${p}::locality::${h.locality}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function clustersJson(dp: Dataplane): unknown {
  return {
    cluster_statuses: [...dp.active().clusters.values()].map((c) => ({
      name: c.name,
      lb_policy: c.config.lbPolicy,
      circuit_breakers: c.config.thresholds,
      outlier_detection: c.config.outlierDetection ?? null,
      host_statuses: c.allHosts().map((h) => ({
        address: { socket_address: { address: h.address, port_value: h.port } },
        health_status: { eds_health_status: h.health, failed_outlier_check: h.ejected, ejection_count: h.ejectionCount },
        stats: { cx_active: h.connections, rq_active: h.activeRequests, rq_total: h.rqTotal, rq_error: h.rqErrors, cx_connect_fail: h.cxConnectFail },
        weight: h.weight,
        priority: h.priority,
        locality: h.locality,
        workload: h.workload,
      })),
    })),
  };
}

export function adminRoutes(deps: AdminDeps): AdminRoute[] {
  const dp = deps.dataplane;
  const routes: AdminRoute[] = [
    { method: 'GET', path: '/config_dump', help: 'the applied xDS resources per type, with versions, warming and rejected ones', handle: () => json(200, { configs: deps.xds?.configDump() ?? [], bound: dp.addresses() }) },
    { method: 'GET', path: '/stats', help: 'Envoy-style counters (?filter=regex, ?format=json)', handle: (q) => (q.get('format') === 'json' ? json(200, { stats: statsText(dp, deps.xds, q.get('filter') ?? undefined).trim().split('\n').map((l) => ({ name: l.slice(0, l.lastIndexOf(':')), value: Number(l.slice(l.lastIndexOf(':') + 1)) })) }) : text(200, statsText(dp, deps.xds, q.get('filter') ?? undefined))) },
    { method: 'GET', path: '/stats/prometheus', help: "Envoy's stats and Istio's standard metrics in Prometheus format", handle: () => ({ status: 200, contentType: 'text/plain; version=0.0.4', body: statsPrometheus(dp, deps.xds) }) },
    { method: 'GET', path: '/clusters', help: 'upstream clusters and hosts with health, outlier state and counters (?format=json)', handle: (q) => (q.get('format') === 'json' ? json(200, clustersJson(dp)) : text(200, clustersText(dp))) },
    { method: 'GET', path: '/listeners', help: 'bound listeners and their addresses', handle: () => json(200, dp.addresses()) },
    {
      method: 'GET',
      path: '/ready',
      help: 'LIVE (200) once the first configuration is applied, else PRE_INITIALIZING or DRAINING (503)',
      handle: () => {
        const r = isReady(deps);
        return text(r.ready ? 200 : 503, `${r.state}\n`);
      },
    },
    {
      method: 'POST',
      path: '/logging',
      help: 'set the log level: /logging?level=debug',
      handle: (q) => {
        const level = q.get('level');
        if (level && deps.setLogLevel) return text(200, `active loggers:\n  root: ${deps.setLogLevel(level)}\n`);
        return text(level ? 501 : 200, `active loggers:\n  root: ${deps.logLevel?.() ?? 'unknown'}\n`);
      },
    },
    {
      method: 'POST',
      path: '/drain_listeners',
      help: 'stop accepting connections and drain open ones',
      handle: () => {
        void dp.stopAccepting();
        dp.listeners.drainConnections();
        return text(200, 'OK\n');
      },
    },
    {
      method: 'POST',
      path: '/quitquitquit',
      help: 'drain and exit',
      handle: () => {
        setImmediate(() => deps.quit?.());
        return text(200, 'OK\n');
      },
    },
    { method: 'GET', path: '/server_info', help: 'version, state, uptime and options', handle: () => json(200, { state: isReady(deps).state, uptime_current_epoch: `${Math.floor((Date.now() - dp.startedAt) / 1000)}s`, ...deps.serverInfo }) },
  ];
  routes.push({ method: 'GET', path: '/help', help: 'this list', handle: () => text(200, `admin commands are:\n${routes.map((r) => `  ${r.path}: ${r.help}`).join('\n')}\n`) });
  return routes;
}

/** Serves routes on node:http (tests, or a standalone admin port). */
export function serveRoutes(routes: AdminRoute[], host: string, port: number): Promise<Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const r = routes.find((x) => x.path === url.pathname);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (r.method === 'POST' && req.method !== 'POST' && url.pathname !== '/logging') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' }).end('use POST\n');
      return;
    }
    Promise.resolve(r.handle(url.searchParams)).then(
      (out) => res.writeHead(out.status, { 'content-type': out.contentType }).end(out.body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Istio's health port: /healthz/ready, plus the merged Prometheus metrics at /stats/prometheus. */
export function startHealthServer(deps: AdminDeps, host: string, port: number): Promise<Server> {
  const ready: AdminRoute = {
    method: 'GET',
    path: '/healthz/ready',
    help: 'readiness probe',
    handle: () => {
      const r = isReady(deps);
      return text(r.ready ? 200 : 503, r.ready ? '' : `${r.state}\n`);
    },
  };
  const prom = adminRoutes(deps).find((r) => r.path === '/stats/prometheus')!;
  return serveRoutes([ready, prom], host, port);
}
