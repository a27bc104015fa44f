// Behaviour-test helpers: translate a config for a proxy with the security
// hooks, then send connections and requests through its listeners with the
// reference simulator.
import type { IstioResource } from '@sextant/config-model';
import type { ProxyInfo } from '@sextant/pilot-model';
import { generateProxyConfig, type ListenerObject, type ProxyConfig } from '@sextant/translate';
import { securityHooks } from '../src/security-hooks';
import { simulateSecurity, type SecurityConnection, type SecurityOutcome, type SecurityRequest } from '../src/security-simulator';
import { buildPush, parseConfigs, sidecarOf, spiffe } from './fixtures';

export interface Translated {
  config: ProxyConfig;
  warnings: string[];
}

export function translate(configs: IstioResource[] | string, proxy: ProxyInfo): Translated {
  const push = buildPush(typeof configs === 'string' ? parseConfigs(configs) : configs);
  const warnings: string[] = [];
  const config = generateProxyConfig(push, proxy, { hooks: securityHooks({ onWarning: (m) => warnings.push(m) }) });
  return { config, warnings };
}

export function listener(config: ProxyConfig, name = 'virtualInbound'): ListenerObject {
  const l = config.listeners.find((x) => x.name === name);
  if (!l) throw new Error(`no listener ${name}; have ${config.listeners.map((x) => x.name).join(', ')}`);
  return l;
}

/** A workload's sidecar talking over mesh mTLS (its certificate carries the workload's SPIFFE id). */
export function fromSidecar(namespace: string, sa: string, extra: Partial<SecurityConnection> = {}): Omit<SecurityConnection, 'port'> {
  return { transport: 'mtls', peerPrincipal: spiffe(namespace, sa), ...extra };
}

export function plaintext(extra: Partial<SecurityConnection> = {}): Omit<SecurityConnection, 'port'> {
  return { transport: 'plaintext', ...extra };
}

/** Sends `req` (HTTP) or just a connection (TCP) to `port` of the workload's inbound listener. */
export function call(t: Translated, port: number, conn: Omit<SecurityConnection, 'port'>, req?: SecurityRequest): SecurityOutcome {
  return simulateSecurity(listener(t.config), { port, ...conn }, req);
}

/** What a user of Istio's tasks looks at: the HTTP status, or 000 when the connection fails. */
export function code(o: SecurityOutcome): number {
  return o.closed ? 0 : (o.status ?? 200);
}

export { sidecarOf, spiffe };
