import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes, serveRoutes, startHealthServer } from './admin-server';
import type { Dataplane } from './dataplane';
import { cla, edsCluster, FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, testDataplane, vhost, type Upstream } from './testing';

let dp: Dataplane;
let up: Upstream;
let admin: Server;
let health: Server;
let port: number;
let adminPort: number;
let healthPort: number;
let ready = false;

beforeAll(async () => {
  up = await startUpstream('reviews-v1');
  [port, adminPort, healthPort] = (await freePorts(3)) as [number, number, number];
  const c = 'outbound|9080|v1|reviews.default.svc.cluster.local';
  const src = new FakeConfigSource()
    .set('cluster', edsCluster(c, { outlierDetection: { consecutive_5xx: { value: 5 } } }))
    .set('endpoint', cla(c, [up.port], () => ({ healthStatus: 'HEALTHY', loadBalancingWeight: { value: 2 } })))
    .set('route', routeConfig('9080', [vhost(['*'], [route('/', { cluster: c })])]))
    .set('listener', httpListener('0.0.0.0_9080', port, { rds: '9080' }));
  dp = testDataplane();
  await dp.apply(src.snapshot());
  const deps = {
    dataplane: dp,
    xds: { get ready() { return ready; }, configDump: () => [{ type: 'lds', resources: [] }], status: () => ({ connected: true, types: { lds: { acks: 1, nacks: 0, version: '1' } } }) },
    setLogLevel: (l: string) => l,
  };
  admin = await serveRoutes(adminRoutes(deps), '127.0.0.1', adminPort);
  health = await startHealthServer(deps, '127.0.0.1', healthPort);
});
afterAll(async () => {
  dp.close();
  await up.close();
  admin.close();
  health.close();
});

describe('admin', () => {
  it('reports readiness on /ready and /healthz/ready', async () => {
    expect((await request(adminPort, '/ready')).status).toBe(503);
    expect((await request(healthPort, '/healthz/ready')).status).toBe(503);
    ready = true;
    const r = await request(adminPort, '/ready');
    expect(r.status).toBe(200);
    expect(r.body).toBe('LIVE\n');
    expect((await request(healthPort, '/healthz/ready')).status).toBe(200);
  });

  it('serves Envoy-style stats and Istio metrics', async () => {
    await request(port, '/x', { headers: { 'x-echo-status': '503' } });
    await request(port, '/y');
    const stats = (await request(adminPort, '/stats')).body;
    expect(stats).toMatch(/cluster\.outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local\.upstream_rq_total: 2/);
    expect(stats).toMatch(/cluster\.outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local\.upstream_rq_5xx: 1/);
    expect(stats).toMatch(/http\.test\.downstream_rq_total: 2/);
    const prom = (await request(adminPort, '/stats/prometheus')).body;
    expect(prom).toMatch(/envoy_cluster_upstream_rq_total\{cluster_name="outbound\|9080\|v1\|reviews.default.svc.cluster.local"\} 2/);
    expect(prom).toMatch(/envoy_cluster_upstream_cx_active\{cluster_name="[^"]+"\} \d/);
    expect(prom).toMatch(/istio_requests_total\{reporter="source",source_workload="test",source_workload_namespace="default",[^}]*destination_service="reviews.default.svc.cluster.local",destination_service_name="reviews",destination_service_namespace="default",[^}]*response_code="200"[^}]*\} 1/);
    expect(prom).toMatch(/istio_request_duration_milliseconds_bucket\{[^}]*le="\+Inf"\} 1/);
    expect(prom).toMatch(/istio_response_bytes_sum\{/);
    expect((await request(healthPort, '/stats/prometheus')).body).toMatch(/istio_requests_total/);
  });

  it('lists clusters with host health, weight and outlier state', async () => {
    const t = (await request(adminPort, '/clusters')).body;
    expect(t).toMatch(new RegExp(`reviews.default.svc.cluster.local::127.0.0.1:${up.port}::health_flags::healthy`));
    expect(t).toMatch(/::weight::2/);
    const j = (await request(adminPort, '/clusters?format=json')).json<{ cluster_statuses: { host_statuses: { health_status: { failed_outlier_check: boolean } }[] }[] }>();
    expect(j.cluster_statuses[0]!.host_statuses[0]!.health_status.failed_outlier_check).toBe(false);
  });

  it('dumps config, sets log levels, and lists commands', async () => {
    expect((await request(adminPort, '/config_dump')).json()).toMatchObject({ configs: [{ type: 'lds' }] });
    expect((await request(adminPort, '/logging?level=debug', { method: 'POST' })).body).toMatch(/root: debug/);
    expect((await request(adminPort, '/help')).body).toMatch(/\/quitquitquit/);
    expect((await request(adminPort, '/quitquitquit')).status).toBe(405);
  });
});
