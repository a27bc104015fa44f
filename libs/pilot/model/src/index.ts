// @sextant/pilot-model: the per-push snapshot of the world (PushContext),
// the proxy it is translated for (ProxyInfo) and what changed (PushRequest).
export { ModelError, MODEL_ERROR_CODES, type ModelErrorCode } from './errors';
export {
  Protocol,
  parseProtocol,
  protocolFromPort,
  isHttpProtocol,
  isHttp2Protocol,
  isGrpcProtocol,
  isTlsProtocol,
  isTcpProtocol,
} from './protocol';
export { selectorMatches, labelsKey, pickLabels, type Labels } from './labels';
export {
  servicePort,
  parseLocality,
  spiffeId,
  compareServices,
  compareEndpoints,
  type Service,
  type ServicePort,
  type ServiceEndpoint,
  type Resolution,
  type RegistryKind,
  type EndpointHealth,
  type TlsMode,
} from './service';
export { DEFAULT_MESH_CONFIG, meshConfig, type MeshConfig } from './mesh-config';
export { proxyFromNode, createProxy, isProxylessGrpcNode, type ProxyInfo, type ProxyType, type NodeDescription } from './proxy';
export {
  TriggerReason,
  configKey,
  parseConfigKey,
  fullPush,
  endpointPush,
  mergePushRequests,
  servicesUpdated,
  kindsUpdated,
  type PushRequest,
  type ConfigKey,
} from './push-request';
export { hostMatches, hostsIntersect, mostSpecificHostMatch, isVisibleTo } from './hosts';
export { parseDurationMs } from './durations';
export { compareConfigs, sortConfigs } from './config-order';
export { MESH_GATEWAY, resolveGatewayName, VirtualServiceIndex, type IndexedVirtualService } from './virtual-service-index';
export { DestinationRuleIndex, type MergedDestinationRule } from './destination-rule-index';
export { buildSidecarScope, parseEgressHosts, dedupeServices, type SidecarScope, type EgressHost } from './sidecar-scope';
export { selectSidecar, selectGateways, selectPolicies, type SecurityPolicies } from './policy-index';
export { PushContext, type PushContextInput } from './push-context';
export { proxyNeedsPush } from './push-filter';
