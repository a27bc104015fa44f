// Envoy's filter chain selection: criteria are tried in a fixed order
// (destination port, destination IP, server name, transport protocol,
// application protocols, direct source IP, source type, source IP, source
// port); at each step the most specific chains win and chains that leave the
// criterion empty are the fallback. No match: the default chain.
import { BlockList, isIP } from 'node:net';
import type { CidrRange, FilterChainConfig, ListenerConfig } from '@sextant/xds-client';

export interface ConnectionFacts {
  destPort: number | undefined;
  destIp: string;
  serverName: string;
  transport: string;
  appProtocols: readonly string[];
  srcIp: string;
  srcPort: number;
}

const rangeLists = new WeakMap<CidrRange, BlockList>();

function inRange(ip: string, r: CidrRange): boolean {
  let bl = rangeLists.get(r);
  if (!bl) {
    bl = new BlockList();
    const type = isIP(r.prefix) === 6 ? 'ipv6' : 'ipv4';
    try {
      bl.addSubnet(r.prefix, r.len, type);
    } catch {
      // an unparsable range never matches
    }
    rangeLists.set(r, bl);
  }
  const v = isIP(ip);
  if (v === 0) return false;
  return bl.check(ip, v === 6 ? 'ipv6' : 'ipv4');
}

/** Longest matching prefix length among ranges, -1 when none matches. */
function bestPrefix(ip: string, ranges: readonly CidrRange[]): number {
  let best = -1;
  for (const r of ranges) if (r.len > best && inRange(ip, r)) best = r.len;
  return best;
}

function narrow(chains: FilterChainConfig[], score: (c: FilterChainConfig) => number): FilterChainConfig[] {
  // score: >0 specific match (higher wins), 0 criterion empty (fallback), <0 no match
  let best = 0;
  for (const c of chains) best = Math.max(best, score(c));
  if (best > 0) return chains.filter((c) => score(c) === best);
  return chains.filter((c) => score(c) === 0);
}

function serverNameScore(names: readonly string[], sni: string): number {
  if (names.length === 0) return 0;
  if (!sni) return -1;
  let best = -1;
  for (const n of names) {
    if (n === sni) return 1_000_000;
    if (n.startsWith('*.') && sni.endsWith(n.slice(1))) best = Math.max(best, n.length);
    else if (n.startsWith('.') && sni.endsWith(n)) best = Math.max(best, n.length);
  }
  return best;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
}

export function selectFilterChain(l: ListenerConfig, f: ConnectionFacts): FilterChainConfig | undefined {
  let c = l.filterChains;
  if (c.length === 0) return l.defaultFilterChain;
  c = narrow(c, (x) => (x.match.destinationPort === undefined ? 0 : x.match.destinationPort === f.destPort ? 1 : -1));
  if (c.length > 0) c = narrow(c, (x) => (x.match.prefixRanges.length === 0 ? 0 : bestPrefix(f.destIp, x.match.prefixRanges) + 1 || -1));
  if (c.length > 0) c = narrow(c, (x) => serverNameScore(x.match.serverNames, f.serverName));
  if (c.length > 0) c = narrow(c, (x) => (x.match.transportProtocol === '' ? 0 : x.match.transportProtocol === f.transport ? 1 : -1));
  if (c.length > 0) c = narrow(c, (x) => (x.match.applicationProtocols.length === 0 ? 0 : x.match.applicationProtocols.some((p) => f.appProtocols.includes(p)) ? 1 : -1));
  if (c.length > 0) c = narrow(c, (x) => (x.match.directSourcePrefixRanges.length === 0 ? 0 : bestPrefix(f.srcIp, x.match.directSourcePrefixRanges) + 1 || -1));
  if (c.length > 0) {
    const local = isLoopback(f.srcIp) || f.srcIp === f.destIp;
    c = narrow(c, (x) => (x.match.sourceType === 'ANY' ? 0 : (x.match.sourceType === 'SAME_IP_OR_LOOPBACK') === local ? 1 : -1));
  }
  if (c.length > 0) c = narrow(c, (x) => (x.match.sourcePrefixRanges.length === 0 ? 0 : bestPrefix(f.srcIp, x.match.sourcePrefixRanges) + 1 || -1));
  if (c.length > 0) c = narrow(c, (x) => (x.match.sourcePorts.length === 0 ? 0 : x.match.sourcePorts.includes(f.srcPort) ? 1 : -1));
  return c[0] ?? l.defaultFilterChain;
}

/** Whether choosing among the chains (or terminating TLS on one) needs the first bytes (SNI, TLS or not, ALPN / HTTP). */
export function needsInspection(l: ListenerConfig): boolean {
  // TLS chains too: the ClientHello's ALPN decides what the handshake negotiates.
  return l.filterChains.some((c) => c.tls !== undefined || c.match.serverNames.length > 0 || c.match.transportProtocol !== '' || c.match.applicationProtocols.length > 0);
}

/** Whether some chain depends on a TLS ClientHello (transport protocol tls, SNI, or TLS termination): worth peeking even on opaque ports. */
export function needsTlsInspection(l: ListenerConfig): boolean {
  return l.filterChains.some((c) => c.tls !== undefined || c.match.transportProtocol === 'tls' || c.match.serverNames.length > 0);
}
