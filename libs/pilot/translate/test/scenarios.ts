// The golden scenarios: config files (our own YAML, after Istio's
// documentation tasks) x the proxies they are translated for.
import type { MeshConfig, ProxyInfo, PushContext } from '@sextant/pilot-model';
import type { TranslateOptions } from '../src/context';
import { generateProxyConfig } from '../src/configgen';
import type { ProxyConfig } from '../src/envoy-types';
import { buildPush, grpcClient, loadConfigs, router, sidecar } from './fixtures';

export interface ScenarioProxy {
  name: string;
  proxy: (push: PushContext) => ProxyInfo;
  options?: TranslateOptions;
}

export interface Scenario {
  name: string;
  configs: string[];
  proxies: ScenarioProxy[];
  mesh?: Partial<MeshConfig>;
}

const productpage: ScenarioProxy = { name: 'productpage', proxy: (p) => sidecar(p, '10.10.0.1') };

export const SCENARIOS: Scenario[] = [
  {
    name: 'mesh-defaults',
    configs: [],
    proxies: [
      { name: 'reviews-v1', proxy: (p) => sidecar(p, '10.10.2.1') },
      { name: 'productpage-explicit', proxy: (p) => sidecar(p, '10.10.0.1', { metadata: { HTTP_PROXY_PORT: '15080', INTERCEPTION_MODE: 'NONE' } }) },
    ],
  },
  { name: 'bookinfo-routing', configs: ['bookinfo-routing.yaml'], proxies: [productpage] },
  { name: 'traffic-shifting', configs: ['traffic-shifting.yaml'], proxies: [productpage] },
  { name: 'fault-injection', configs: ['fault-injection.yaml'], proxies: [productpage] },
  { name: 'timeouts-retries', configs: ['timeouts-retries.yaml'], proxies: [productpage] },
  { name: 'circuit-breaker', configs: ['circuit-breaker.yaml'], proxies: [productpage] },
  { name: 'mirroring', configs: ['mirroring.yaml'], proxies: [productpage] },
  { name: 'http-features', configs: ['http-features.yaml'], proxies: [{ name: 'reviews-v1', proxy: (p) => sidecar(p, '10.10.2.1') }] },
  { name: 'gateway-tls', configs: ['gateway-tls.yaml'], proxies: [{ name: 'ingressgateway', proxy: () => router() }] },
  { name: 'tcp-shifting', configs: ['tcp-shifting.yaml'], proxies: [productpage] },
  { name: 'service-entry', configs: ['service-entry.yaml'], proxies: [productpage] },
  {
    name: 'sidecar-egress',
    configs: ['sidecar-egress.yaml'],
    proxies: [productpage, { name: 'sleep-other-ns', proxy: (p) => sidecar(p, '10.20.0.1') }],
  },
  { name: 'delegate', configs: ['delegate.yaml'], proxies: [{ name: 'ingressgateway', proxy: () => router() }] },
  { name: 'proxyless-grpc', configs: ['proxyless-grpc.yaml'], proxies: [{ name: 'grpc-client', proxy: () => grpcClient() }] },
  { name: 'locality', configs: ['locality.yaml'], proxies: [{ name: 'productpage-us-east', proxy: (p) => sidecar(p, '10.10.0.1', { locality: 'us-east/zone-a/' }) }] },
];

export function runScenario(s: Scenario): { push: PushContext; outputs: { proxy: ScenarioProxy; config: ProxyConfig }[] } {
  const push = buildPush('bookinfo.yaml', loadConfigs(...s.configs), s.mesh);
  return { push, outputs: s.proxies.map((proxy) => ({ proxy, config: generateProxyConfig(push, proxy.proxy(push), proxy.options) })) };
}
