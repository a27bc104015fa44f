import { it } from 'vitest';
import { generateProxyConfig } from '../src/configgen';
import { buildPush, loadConfigs, sidecar, ISTIO_SAMPLES } from './fixtures';
import { encodeEnvoy, RESOURCE_TYPES } from './envoy-proto';

it('smoke', () => {
  const configs = loadConfigs(`${ISTIO_SAMPLES}/bookinfo/networking/destination-rule-all.yaml`, `${ISTIO_SAMPLES}/bookinfo/networking/virtual-service-reviews-jason-v2-v3.yaml`);
  const push = buildPush('bookinfo.yaml', configs);
  const cfg = generateProxyConfig(push, sidecar(push, '10.10.0.1'));
  console.log(JSON.stringify(cfg.routes.find((r) => r.name === '9080')?.virtualHosts.find(v => v.name.startsWith('reviews')), null, 1).slice(0, 3000));
  console.log(cfg.warnings, cfg.listeners.map((l) => l.name), cfg.clusters.length, cfg.endpoints.length);
  for (const [k, t] of Object.entries(RESOURCE_TYPES)) for (const r of (cfg as never as Record<string, object[]>)[k]!) encodeEnvoy(t, r);
});
