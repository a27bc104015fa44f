// Listener decoder: address, listener filters, filter chains with their
// matches, and the terminal network filter of each chain.
import type { HttpConnectionManager__Output, Listener__Output, TcpProxy__Output } from '@sextant/proto';
import { anyTypeUrl, bool, durationMs, socketAddress, typeName, u32, unpack, Issues, type Decoded } from './decode-support';
import type { CidrRange, FilterChainConfig, FilterChainMatchConfig, ListenerConfig } from './listener-types';
import { attachNetworkRbac, decodeHttpConnectionManager, decodeNetworkRbac, decodeTcpProxy, NETWORK_RBAC_TYPE } from './network-filter-decoder';
import { decodeDownstreamTransportSocket } from './tls-decoder';

type FilterChainMsg = Listener__Output['filterChains'][number];
type MatchMsg = NonNullable<FilterChainMsg['filterChainMatch']>;

const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY_TYPE = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

/** Non-terminal network filters whose job the proxy does natively (telemetry, peer metadata). */
const NATIVE_NETWORK_FILTERS = new Set(['istio.metadata_exchange', 'istio.stats', 'envoy.filters.network.metadata_exchange']);
const NATIVE_NETWORK_TYPES = new Set(['envoy.tcp.metadataexchange.config.MetadataExchange', 'stats.PluginConfig', 'udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct']);

/** Listener filters the proxy implements itself (inspection, original destination). */
const KNOWN_LISTENER_FILTERS = new Set([
  'envoy.filters.listener.tls_inspector',
  'envoy.filters.listener.http_inspector',
  'envoy.filters.listener.original_dst',
  'istio.original_src',
  'envoy.listener.tls_inspector',
  'envoy.listener.http_inspector',
  'envoy.listener.original_dst',
]);

export function decodeListener(msg: Listener__Output): Decoded<ListenerConfig> {
  const issues = new Issues();
  const path = `Listener[${msg.name}]`;
  if (!msg.name) issues.error(`${path}.name`, 'empty listener name');
  if (msg.apiListener) issues.error(`${path}.apiListener`, 'API listeners are for proxyless gRPC clients, not for a proxy');
  if (msg.internalListener) issues.error(`${path}.internalListener`, 'internal listeners are not supported');
  if (msg.filterChainMatcher) issues.error(`${path}.filterChainMatcher`, 'the filter chain matcher tree is not supported (use filter_chain_match)');
  if (msg.udpListenerConfig || msg.address?.socketAddress?.protocol === 'UDP') issues.error(`${path}.address`, 'UDP listeners are not supported');
  const address = socketAddress(msg.address, `${path}.address`, issues) ?? { host: '0.0.0.0', port: 0 };
  const listenerFilters = msg.listenerFilters.map((f) => f.name);
  msg.listenerFilters.forEach((f, i) => {
    if (!KNOWN_LISTENER_FILTERS.has(f.name)) issues.warn(`${path}.listenerFilters[${i}]`, `listener filter ${f.name} is not supported; ignored`);
  });
  const filterChains: FilterChainConfig[] = [];
  msg.filterChains.forEach((fc, i) => {
    const chain = decodeFilterChain(fc, `${path}.filterChains[${i}${fc.name ? `:${fc.name}` : ''}]`, issues);
    if (chain) filterChains.push(chain);
  });
  const value: ListenerConfig = {
    name: msg.name,
    address,
    bindToPort: bool(msg.bindToPort, true) && bool(msg.deprecatedV1?.bindToPort, true),
    useOriginalDst: bool(msg.useOriginalDst, false),
    direction: msg.trafficDirection === 'INBOUND' || msg.trafficDirection === 'OUTBOUND' ? msg.trafficDirection : 'UNSPECIFIED',
    filterChains,
    listenerFilters,
    listenerFiltersTimeoutMs: durationMs(msg.listenerFiltersTimeout, 15_000),
    continueOnListenerFiltersTimeout: Boolean(msg.continueOnListenerFiltersTimeout),
    accessLog: (msg.accessLog ?? []).length > 0,
  };
  if (msg.defaultFilterChain) {
    const chain = decodeFilterChain(msg.defaultFilterChain, `${path}.defaultFilterChain`, issues);
    if (chain) value.defaultFilterChain = chain;
  }
  if (filterChains.length === 0 && !value.defaultFilterChain) issues.error(`${path}.filterChains`, 'no filter chains');
  checkDuplicateMatches(filterChains, `${path}.filterChains`, issues);
  return issues.result(value);
}

function cidrs(list: MatchMsg['prefixRanges'] | null | undefined): CidrRange[] {
  return (list ?? []).map((r) => ({ prefix: r.addressPrefix, len: u32(r.prefixLen, r.addressPrefix.includes(':') ? 128 : 32) }));
}

function decodeMatch(m: MatchMsg | null, path: string, issues: Issues): FilterChainMatchConfig {
  const out: FilterChainMatchConfig = {
    prefixRanges: cidrs(m?.prefixRanges),
    serverNames: (m?.serverNames ?? []).map((s) => s.toLowerCase()),
    transportProtocol: m?.transportProtocol ?? '',
    applicationProtocols: m?.applicationProtocols ?? [],
    directSourcePrefixRanges: cidrs(m?.directSourcePrefixRanges),
    sourceType: m?.sourceType === 'SAME_IP_OR_LOOPBACK' || m?.sourceType === 'EXTERNAL' ? m.sourceType : 'ANY',
    sourcePrefixRanges: cidrs(m?.sourcePrefixRanges),
    sourcePorts: (m?.sourcePorts ?? []).map(Number),
  };
  if (m?.destinationPort) {
    const port = u32(m.destinationPort, 0);
    if (port < 1 || port > 65535) issues.error(`${path}.destinationPort`, `port ${port} out of range`);
    out.destinationPort = port;
  }
  if (m?.addressSuffix || m?.suffixLen) issues.error(path, 'address_suffix matching is not supported');
  return out;
}

function decodeFilterChain(fc: FilterChainMsg, path: string, issues: Issues): FilterChainConfig | undefined {
  const errorsBefore = issues.errors.length;
  const match = decodeMatch(fc.filterChainMatch, `${path}.filterChainMatch`, issues);
  const tls = decodeDownstreamTransportSocket(fc.transportSocket, `${path}.transportSocket`, issues);
  if (tls && match.transportProtocol === 'raw_buffer') issues.error(`${path}.filterChainMatch.transportProtocol`, 'a chain that terminates TLS cannot match raw_buffer connections');
  if (fc.useProxyProto && bool(fc.useProxyProto, false)) issues.error(`${path}.useProxyProto`, 'PROXY protocol is not supported');
  if (fc.filters.length === 0) {
    issues.error(`${path}.filters`, 'no network filters');
    return undefined;
  }
  let terminal: FilterChainConfig['filter'] | undefined;
  const rbac: NonNullable<Parameters<typeof attachNetworkRbac>[1]> = [];
  fc.filters.forEach((f, i) => {
    const p = `${path}.filters[${i}:${f.name}]`;
    const type = typeName(anyTypeUrl(f.typedConfig));
    const last = i === fc.filters.length - 1;
    if (type === HCM_TYPE) {
      if (!last) issues.error(p, 'the HTTP connection manager must be the last network filter');
      const hcm = unpack<HttpConnectionManager__Output>(f.typedConfig, `${p}.typedConfig`, issues);
      if (hcm) terminal = decodeHttpConnectionManager(hcm, `${p}.typedConfig`, issues);
    } else if (type === TCP_PROXY_TYPE) {
      if (!last) issues.error(p, 'the TCP proxy must be the last network filter');
      const tcp = unpack<TcpProxy__Output>(f.typedConfig, `${p}.typedConfig`, issues);
      if (tcp) terminal = decodeTcpProxy(tcp, `${p}.typedConfig`, issues);
    } else if (type === NETWORK_RBAC_TYPE) {
      const r = decodeNetworkRbac(f, p, issues);
      if (r) rbac.push(r);
    } else if (NATIVE_NETWORK_FILTERS.has(f.name) || NATIVE_NETWORK_TYPES.has(type)) {
      // telemetry and peer metadata: done natively
    } else {
      issues.error(p, `network filter ${f.name} (${type || 'no typed_config'}) is not supported`);
    }
  });
  attachNetworkRbac(terminal, rbac, `${path}.filters`, issues);
  if (!terminal) {
    if (issues.errors.length === errorsBefore) issues.error(`${path}.filters`, 'no terminal filter (http_connection_manager or tcp_proxy)');
    return undefined;
  }
  const chain: FilterChainConfig = { name: fc.name ?? '', match, filter: terminal };
  if (tls) chain.tls = tls;
  return chain;
}

function matchKey(m: FilterChainMatchConfig): string {
  return JSON.stringify([
    m.destinationPort ?? 0,
    m.prefixRanges,
    [...m.serverNames].sort(),
    m.transportProtocol,
    [...m.applicationProtocols].sort(),
    m.directSourcePrefixRanges,
    m.sourceType,
    m.sourcePrefixRanges,
    [...m.sourcePorts].sort(),
  ]);
}

/** Envoy rejects listeners whose chains have identical matches. */
function checkDuplicateMatches(chains: FilterChainConfig[], path: string, issues: Issues): void {
  const seen = new Map<string, number>();
  chains.forEach((c, i) => {
    const key = matchKey(c.match);
    const prev = seen.get(key);
    if (prev !== undefined) issues.error(`${path}[${i}]`, `filter_chain_match is identical to filterChains[${prev}]`);
    else seen.set(key, i);
  });
}
