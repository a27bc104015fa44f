// @sextant/xds-server: Envoy v3 ADS (SotW and delta) over per-proxy snapshots.
//
//   const ads = addAdsService(grpcServer, { source, logger, metrics: prometheusXdsMetrics(registry) });
//   const pushes = debounce((req) => ads.push(req), { logger });
//   registry.onChange(() => pushes.enqueue(endpointPush('endpoints changed')));
//   config.onChange((kinds) => pushes.enqueue(fullPush('config changed')));
//   admin.get('/debug/syncz', () => ads.status());
//
// `source.snapshotFor(proxy, changedTypes?)` returns the proxy's resources
// (plain objects shaped like @sextant/proto's Envoy types, or packed Anys);
// return the same objects to proxies that share output.
export { AdsServer, addAdsService, DEFAULT_PUSH_ORDER, type AdsServerOptions } from './ads-server';
export {
  type Snapshot,
  type SnapshotSource,
  type TypeResources,
  type VersionedResource,
  EMPTY_RESOURCES,
  EMPTY_SNAPSHOT,
  mergeSnapshot,
  packResource,
  resourceName,
  resourcesOf,
  sameResources,
  snapshotOf,
  typeVersion,
  versioned,
  versionedEncoded,
  versionOf,
} from './snapshot';
export { type PushRequest, endpointPush, fullPush, mergePushRequests } from './push-request';
export { type Clock, type DebounceOptions, type Debouncer, DEBOUNCE_DEFAULTS, debounce, systemClock } from './debounce';
export { type CheckedSnapshot, type ConsistencyError, type ResourceRefs, checkConsistency, resourceRefs } from './consistency';
export { type IstioId, type IstioProxyType, type ProxyInfo, ISTIO_PROXY_TYPES, parseIstioId, proxyFromNode } from './proxy-id';
export { type ConnectionStatus, type NackRecord, type TypeStatus } from './status';
export { VHDS_CONFIG, VHDS_METADATA_KEY, splitRoutes, vhdsNamespace, vhdsResourceName, vhdsSnapshot, wantsVhds } from './vhds';
export { type XdsMetrics, prometheusXdsMetrics } from './metrics';
export { XDS_ERROR_CODES, XdsError, type XdsErrorCode } from './errors';
export {
  type PeerCheck,
  type TlsAuthorizerOptions,
  type XdsAuthorizer,
  type XdsPeerSecurity,
  type XdsRefusal,
  type XdsServingCredentials,
  RotatingServerCredentials,
  checkClientChain,
  checkNodeIdentity,
  peerChain,
  tlsAuthorizer,
  tlsSocketOf,
} from './tls-auth';
