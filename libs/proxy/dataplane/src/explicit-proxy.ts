// Explicit capture (no privileges). Outbound: the app talks to the sidecar
// as an HTTP proxy (absolute-form "GET http://reviews:9080/x", or CONNECT);
// the target's port picks the listener "0.0.0.0_<port>" (its connection
// manager) or the route configuration named "<port>", else the outbound
// passthrough. Inbound without an original destination: the request's
// target port picks the virtualInbound filter chain.
import { isIP, type Socket } from 'node:net';
import type { ListenerConfig } from '@sextant/xds-client';
import { selectFilterChain } from './filter-chain-match';
import { getHeader } from './headers';
import { hcmRuntime, passthroughRoutes, syntheticHcm, syntheticRuntime } from './hcm-registry';
import type { ActiveConfig, ConnInfo, Direction, HcmRuntime } from './http-context';
import type { HttpExchange } from './http-exchange';
import type { HcmResolver } from './http1-fast-path';

export function splitAuthority(authority: string, scheme: string): { host: string; port: number } {
  let host = authority;
  let port = scheme === 'https' ? 443 : 80;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    host = authority.slice(1, end);
    if (authority[end + 1] === ':') port = Number(authority.slice(end + 2));
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(':') === colon) {
      host = authority.slice(0, colon);
      port = Number(authority.slice(colon + 1)) || port;
    }
  }
  return { host, port };
}

/** The listener that owns a destination: exact IP:port first, then 0.0.0.0:port. */
export function listenerForDestination(active: ActiveConfig, address: string, port: number, exclude?: string): ListenerConfig | undefined {
  const list = active.listenersByPort.get(port);
  if (!list) return undefined;
  let wildcard: ListenerConfig | undefined;
  for (const l of list) {
    if (l.name === exclude || l.useOriginalDst) continue;
    if (l.address.host === address) return l;
    if (l.address.host === '0.0.0.0' || l.address.host === '::') wildcard ??= l;
  }
  return wildcard;
}

/** Whether an Istio service FQDN is what `host` names from `namespace` (name, name.ns, name.ns.svc or the FQDN, like Kubernetes DNS search). */
export function hostNamesService(host: string, fqdn: string, namespace: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === fqdn) return true;
  if (!fqdn.startsWith(`${h}.`)) return false;
  const rest = fqdn.slice(h.length + 1);
  const dots = h.split('.').length - 1;
  if (dots === 0) return rest.startsWith(`${namespace}.svc.`);
  if (dots === 1) return rest.startsWith('svc.');
  return h.endsWith('.svc');
}

/** The service FQDNs a TCP chain sends to (Istio cluster names outbound|port|subset|fqdn). */
function tcpServices(l: ListenerConfig): string[] {
  const out: string[] = [];
  const chains = l.defaultFilterChain ? [l.defaultFilterChain, ...l.filterChains] : l.filterChains;
  for (const c of chains) {
    if (c.filter.kind !== 'tcp') continue;
    const names = c.filter.cluster.kind === 'cluster' ? [c.filter.cluster.name] : c.filter.cluster.clusters.map((x) => x.name);
    for (const n of names) {
      const parts = n.split('|');
      if (parts.length === 4 && parts[0] === 'outbound' && parts[3]) out.push(parts[3]);
    }
  }
  return out;
}

/**
 * CONNECT by service name (explicit capture has no DNS proxy): the outbound
 * listener of that port whose TCP chain sends to the named service, e.g.
 * tcp-echo:9000 -> the listener on the service address 240.240.x.y:9000.
 * The listener's own address becomes the destination, as if the app had
 * resolved the name to the service address.
 */
export function listenerForServiceName(active: ActiveConfig, host: string, port: number, namespace: string): ListenerConfig | undefined {
  if (isIP(host) !== 0) return undefined;
  for (const l of active.listenersByPort.get(port) ?? []) {
    if (l.useOriginalDst || directionOf(l) !== 'outbound' || isIP(l.address.host) === 0) continue;
    if (tcpServices(l).some((fqdn) => hostNamesService(host, fqdn, namespace))) return l;
  }
  return undefined;
}

export function directionOf(l: ListenerConfig): Direction {
  return l.direction === 'INBOUND' || l.name === 'virtualInbound' || l.name.startsWith('inbound') ? 'inbound' : 'outbound';
}

/** The cluster a listener's catch-all TCP chain sends to (Istio's PassthroughCluster or BlackHoleCluster). */
function passthroughCluster(l: ListenerConfig | undefined): string | undefined {
  if (!l) return undefined;
  const chains = l.defaultFilterChain ? [l.defaultFilterChain, ...l.filterChains] : l.filterChains;
  for (const c of chains) if (c.filter.kind === 'tcp' && c.filter.cluster.kind === 'cluster') return c.filter.cluster.name;
  return undefined;
}

export interface ExplicitDeps {
  active(): ActiveConfig;
  /** Runs a CONNECT tunnel's bytes through the listener for the target, as a new connection. */
  tunnel(socket: Socket, target: { address: string; port: number }, head: Buffer, conn: ConnInfo): void;
}

export class ExplicitOutboundResolver implements HcmResolver {
  constructor(
    private readonly deps: ExplicitDeps,
    private readonly virtual: () => ListenerConfig | undefined,
  ) {}

  resolve(ex: HttpExchange, conn: ConnInfo): HcmRuntime | undefined {
    const { host, port } = splitAuthority(ex.authority, ex.scheme);
    ex.originalDst = { address: host, port };
    const active = this.deps.active();
    const l = listenerForDestination(active, isIP(host) ? host : '0.0.0.0', port);
    if (l) {
      const chain = selectFilterChain(l, {
        destPort: port,
        destIp: isIP(host) ? host : '',
        serverName: '',
        transport: 'raw_buffer',
        appProtocols: [ex.protocol === 'HTTP/2' ? 'h2c' : ex.protocol === 'HTTP/1.0' ? 'http/1.0' : 'http/1.1'],
        srcIp: conn.remoteAddress,
        srcPort: conn.remotePort,
      });
      if (chain?.filter.kind === 'http' && !chain.tls) return hcmRuntime(chain.filter, 'outbound', l.name);
    }
    const byPort = String(port);
    if (active.routeTables.has(byPort)) return syntheticRuntime(`rds:${byPort}`, 'outbound', () => syntheticHcm(`outbound_0.0.0.0_${byPort}`, { kind: 'rds', name: byPort }));
    const pass = passthroughCluster(this.virtual());
    if (pass) return syntheticRuntime(`passthrough:${pass}`, 'outbound', () => syntheticHcm('PassthroughCluster', { kind: 'inline', config: passthroughRoutes(pass) }));
    return undefined;
  }

  connect(socket: Socket, target: string, head: Buffer, conn: ConnInfo): void {
    const { host, port } = splitAuthority(target, 'https');
    if (!host || !port) {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n', 'latin1');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', 'latin1');
    this.deps.tunnel(socket, { address: host, port }, head, conn);
  }
}

export class ExplicitInboundResolver implements HcmResolver {
  constructor(
    private readonly listener: () => ListenerConfig | undefined,
    private readonly workloadAddress: string,
    private readonly httpPorts: readonly number[],
  ) {}

  /** The port the client meant: x-envoy-original-dst-host, the authority's port, or the workload's only HTTP port. */
  targetPort(ex: HttpExchange): number | undefined {
    const od = getHeader(ex.headers, 'x-envoy-original-dst-host');
    if (od) {
      const p = Number(od.slice(od.lastIndexOf(':') + 1));
      if (p > 0) return p;
    }
    const colon = ex.authority.lastIndexOf(':');
    if (colon > 0 && !ex.authority.endsWith(']')) {
      const p = Number(ex.authority.slice(colon + 1));
      if (p > 0) return p;
    }
    return this.httpPorts.length === 1 ? this.httpPorts[0] : undefined;
  }

  resolve(ex: HttpExchange, conn: ConnInfo): HcmRuntime | undefined {
    const l = this.listener();
    if (!l) return undefined;
    const port = this.targetPort(ex);
    if (port !== undefined) ex.originalDst = { address: this.workloadAddress, port };
    const chain = selectFilterChain(l, {
      destPort: port,
      destIp: this.workloadAddress,
      serverName: '',
      transport: 'raw_buffer',
      appProtocols: [ex.protocol === 'HTTP/2' ? 'h2c' : ex.protocol === 'HTTP/1.0' ? 'http/1.0' : 'http/1.1'],
      srcIp: conn.remoteAddress,
      srcPort: conn.remotePort,
    });
    if (chain?.filter.kind !== 'http' || chain.tls) return undefined;
    return hcmRuntime(chain.filter, 'inbound', l.name);
  }
}
