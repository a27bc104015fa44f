import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { prometheusXdsMetrics } from './metrics';

describe('prometheus metrics', () => {
  it("records under Istio's metric names", async () => {
    const registry = new Registry();
    const m = prometheusXdsMetrics(registry);
    m.connections!(3);
    m.pushed!('type.googleapis.com/envoy.config.cluster.v3.Cluster', { resources: 2, removed: 0, bytes: 100 });
    m.converged!('type.googleapis.com/envoy.config.cluster.v3.Cluster', 250);
    m.nacked!('type.googleapis.com/envoy.config.listener.v3.Listener', { id: 'p' } as never, 'bad');
    const text = await registry.metrics();
    expect(text).toContain('pilot_xds 3');
    expect(text).toContain('pilot_xds_pushes{type="cds"} 1');
    expect(text).toContain('pilot_total_xds_rejects{type="lds"} 1');
    expect(text).toMatch(/pilot_proxy_convergence_time_bucket\{le="0.5",type="cds"\} 1/);
  });
});
