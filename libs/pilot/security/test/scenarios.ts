// The golden scenarios: config files (our own YAML after Istio's security
// tasks) x the proxies they are translated for, through @sextant/translate
// with the security hooks, exactly as Pilot would run them.
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import { generateProxyConfig, type ClusterObject, type ListenerObject, type ProxyConfig } from '@sextant/translate';
import { securityClusters, securityHooks } from '../src/security-hooks';
import { buildPush, ingressGateway, loadConfigs, sidecarOf } from './fixtures';

export interface ScenarioProxy {
  name: string;
  proxy: () => ProxyInfo;
}

export interface Scenario {
  name: string;
  configs: string[];
  proxies: ScenarioProxy[];
}

const sidecar = (ref: string): ScenarioProxy => ({ name: ref.replace('/', '.'), proxy: () => sidecarOf(ref) });

export const SCENARIOS: Scenario[] = [
  { name: 'mtls-default', configs: [], proxies: [sidecar('foo/httpbin-0'), sidecar('foo/tcp-echo-0')] },
  { name: 'mtls-mesh-strict', configs: ['mtls-mesh-strict.yaml'], proxies: [sidecar('foo/httpbin-0'), sidecar('foo/tcp-echo-0')] },
  { name: 'mtls-namespace', configs: ['mtls-namespace.yaml'], proxies: [sidecar('foo/httpbin-0'), sidecar('bar/httpbin-0')] },
  { name: 'mtls-workload-port', configs: ['mtls-workload-port.yaml'], proxies: [sidecar('bar/httpbin-0'), sidecar('foo/tcp-echo-0'), sidecar('foo/httpbin-0')] },
  {
    name: 'authz-bookinfo',
    configs: ['mtls-mesh-strict.yaml', 'authz-bookinfo.yaml'],
    proxies: [sidecar('default/productpage-v1-0'), sidecar('default/details-v1-0'), sidecar('default/reviews-v1-0'), sidecar('default/ratings-v1-0')],
  },
  { name: 'authz-allow-nothing', configs: ['authz-allow-nothing.yaml'], proxies: [sidecar('default/productpage-v1-0')] },
  { name: 'authz-deny', configs: ['authz-deny.yaml'], proxies: [sidecar('foo/httpbin-0')] },
  { name: 'authz-deny-notpaths', configs: ['authz-deny-notpaths.yaml'], proxies: [sidecar('foo/httpbin-0')] },
  { name: 'authz-jwt', configs: ['authz-jwt.yaml'], proxies: [sidecar('foo/httpbin-0')] },
  { name: 'authz-tcp-ports', configs: ['authz-tcp-ports.yaml'], proxies: [sidecar('foo/tcp-echo-0')] },
  { name: 'authz-tcp-http-only-allow', configs: ['authz-tcp-http-only-allow.yaml'], proxies: [sidecar('foo/tcp-echo-0')] },
  { name: 'authz-tcp-http-only-deny', configs: ['authz-tcp-http-only-deny.yaml'], proxies: [sidecar('foo/tcp-echo-0')] },
  { name: 'authz-custom-audit-dryrun', configs: ['authz-custom-audit-dryrun.yaml'], proxies: [sidecar('bar/httpbin-0')] },
  { name: 'authz-conditions', configs: ['mtls-mesh-strict.yaml', 'authz-conditions.yaml'], proxies: [sidecar('bar/httpbin-0')] },
  { name: 'gateway-jwt', configs: ['gateway-jwt.yaml'], proxies: [{ name: 'ingressgateway', proxy: ingressGateway }] },
];

export interface ScenarioOutput {
  proxy: ScenarioProxy;
  info: ProxyInfo;
  /** Translation's full output with the security hooks (security clusters included, as Pilot gets it). */
  config: ProxyConfig;
  /** The extra clusters security asked for (JWKS hosts). */
  extraClusters: ClusterObject[];
  /** Security warnings for this proxy. */
  warnings: string[];
}

export interface ScenarioRun {
  push: PushContext;
  outputs: ScenarioOutput[];
}

const cache = new Map<string, ScenarioRun>();

export function runScenario(s: Scenario): ScenarioRun {
  const hit = cache.get(s.name);
  if (hit) return hit;
  const push = buildPush(loadConfigs(...s.configs));
  const outputs = s.proxies.map((proxy): ScenarioOutput => {
    const info = proxy.proxy();
    const warnings: string[] = [];
    // The hooks add security's clusters (JWKS hosts) and warnings to translation's output themselves.
    const config = generateProxyConfig(push, info, { hooks: securityHooks({ onWarning: (m) => warnings.push(m) }) });
    const extraClusters = securityClusters(push, info);
    return { proxy, info, config, extraClusters, warnings };
  });
  const run = { push, outputs };
  cache.set(s.name, run);
  return run;
}

export function scenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** The output for one proxy of a scenario. */
export function output(scenarioName: string, proxyName: string): ScenarioOutput {
  const o = runScenario(scenario(scenarioName)).outputs.find((x) => x.proxy.name === proxyName);
  if (!o) throw new Error(`no proxy ${proxyName} in ${scenarioName}`);
  return o;
}

/** The listeners security shapes: a sidecar's virtualInbound, every listener of a gateway. */
export function securityListeners(o: ScenarioOutput): ListenerObject[] {
  return o.info.type === 'router' ? o.config.listeners : o.config.listeners.filter((l) => l.name === 'virtualInbound');
}

export function inboundListener(o: ScenarioOutput): ListenerObject {
  const l = o.config.listeners.find((x) => x.name === 'virtualInbound');
  if (!l) throw new Error(`${o.proxy.name} has no virtualInbound`);
  return l;
}
