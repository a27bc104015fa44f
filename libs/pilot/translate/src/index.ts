// @sextant/translate: PushContext + ProxyInfo -> Envoy v3 resources for that
// proxy (pure: no I/O, no gRPC, NATS, fastify or pino).
export { TranslateError, TRANSLATE_ERROR_CODES, type TranslateErrorCode } from './errors';
export { generateProxyConfig, generateEndpointsOf, buildListeners, buildRoutes, buildClusters, buildEndpointsFor, proxyConfigKey, type ResourceKind } from './configgen';
export { cacheKeyCarriesOver, cacheKeysCarryOver, keyInputsFingerprint, type KeyChange } from './cache-key';
export { createContext, type TranslateContext, type TranslateOptions } from './context';
export { VirtualHostCache } from './host-cache';
export { NO_HOOKS, type TranslateHooks, type FilterHookContext, type ClusterHookContext, type FilterDirection } from './hooks';
export {
  BLACKHOLE_CLUSTER,
  PASSTHROUGH_CLUSTER,
  INBOUND_PASSTHROUGH_CLUSTER,
  VIRTUAL_OUTBOUND_LISTENER,
  VIRTUAL_INBOUND_LISTENER,
  HTTP_PROXY_ROUTE,
  clusterName,
  outboundCluster,
  inboundCluster,
  parseClusterName,
  istioMtlsSni,
  listenerName,
  gatewayHttpRouteName,
  gatewayHttpsRouteName,
  grpcListenerName,
  type Direction,
  type ParsedClusterName,
} from './names';
export { TYPED, FILTER, ENVOY_PROTOS_FOR_TRANSLATION } from './type-urls';
export { WORKLOAD_CERT_SECRET, ROOT_CA_SECRET, LOCAL_SECRETS, credentialSecret, credentialCaSecret } from './tls-builder';
export { danglingClusterReferences, danglingRouteReferences, sdsSecretNames } from './consistency';
export { simulate, pickWeighted, selectVirtualHost, routeMatches, type SimRequest, type SimResult } from './simulation';
export type * from './envoy-types';
