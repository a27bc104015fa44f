// @sextant/xds-client: the proxy's xDS client. Connects to Pilot over ADS
// (delta or SotW), decodes Envoy v3 resources into plain internal types,
// ACKs/NACKs, warms and publishes immutable configuration snapshots.
export { XdsClient, type XdsClientOptions, type XdsClientStatus, type XdsProtocol, type TypeStatus } from './xds-client';
export { buildNode, nodeId, nodeMetadata, serviceCluster, type ProxyIdentity, type ProxyKind } from './node-identity';
export { type ConfigSnapshot, EMPTY_CONFIG, clustersOfRoute, routeNamesOfListener, clustersOfListener } from './config-snapshot';
export { configDump, type ConfigDumpSection, type DumpedResource } from './config-dump';
export { RESOURCE_TYPES, KIND_ORDER, type ResourceKind, type ResourceType, type ResourceValueMap } from './resource-types';
export { ResourceState } from './resource-state';
export { ensureExtensionProtos, type Decoded } from './decode-support';
export { decodeListener } from './listener-decoder';
export { decodeRouteConfiguration } from './route-decoder';
export { decodeCluster, DEFAULT_THRESHOLDS } from './cluster-decoder';
export { decodeClusterLoadAssignment } from './endpoint-decoder';
export { decodeSecret } from './secret-decoder';
export { decodeEnvoyResource } from './decode-envoy';
export { XDS_CLIENT_ERROR_CODES, XdsClientError, type XdsClientErrorCode } from './errors';
export { XDS_TLS_SERVER_NAME, checkPilotIdentity, xdsChannelCredentials, type XdsTlsMaterial, type XdsTlsOptions } from './xds-tls';
export type * from './listener-types';
export type * from './route-types';
export type * from './cluster-types';
export type * from './tls-types';
export { isRawBuffer } from './tls-decoder';
export type { JwksSource, JwtAuthnFilterConfig, JwtProviderConfig } from './jwt-authn-decoder';
