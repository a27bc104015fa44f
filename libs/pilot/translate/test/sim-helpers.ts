// Helpers for behaviour tests: translate a scenario for a proxy and send
// simulated requests through the result.
import type { IstioResource } from '@sextant/config-model';
import type { MeshConfig, ProxyInfo, PushContext } from '@sextant/pilot-model';
import { generateProxyConfig } from '../src/configgen';
import type { ProxyConfig } from '../src/envoy-types';
import { pickWeighted, simulate, type SimRequest, type SimResult } from '../src/simulation';
import { buildPush, loadConfigs, parseConfigs } from './fixtures';

export interface Mesh {
  push: PushContext;
  config(proxy: ProxyInfo): ProxyConfig;
}

export function mesh(files: string[], inline = '', meshConfig: Partial<MeshConfig> = {}): Mesh {
  const configs: IstioResource[] = [...loadConfigs(...files), ...parseConfigs(inline)];
  const push = buildPush('bookinfo.yaml', configs, meshConfig);
  const cache = new Map<ProxyInfo, ProxyConfig>();
  return {
    push,
    config(proxy) {
      let c = cache.get(proxy);
      if (!c) cache.set(proxy, (c = generateProxyConfig(push, proxy)));
      return c;
    },
  };
}

/** An HTTP request to `host:port` from a sidecar (through its capture listener). */
export function http(config: ProxyConfig, host: string, port: number, req: Partial<SimRequest> = {}): SimResult {
  return simulate(config, { port, host: `${host}:${port}`, ...req });
}

/** How `n` requests spread over clusters (deterministic pseudo-random draws). */
export function spread(result: SimResult, n = 10_000): Record<string, number> {
  const out: Record<string, number> = {};
  let seed = 42;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const c = pickWeighted(result, seed / 2 ** 31)!;
    out[c] = (out[c] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round((100 * v) / n)]));
}

export const FQDN = (name: string, ns = 'default') => `${name}.${ns}.svc.cluster.local`;
