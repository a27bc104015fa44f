// @sextant/dataplane: the proxy's data plane. Listeners, HTTP/1.1 (fast path),
// HTTP/2 and gRPC, WebSocket, TCP, routing, clusters and load balancing,
// resilience (timeouts, retries, circuit breakers, outlier detection),
// faults, CORS, local rate limits, Istio metrics, access logs and admin.
export { Dataplane, type DataplaneOptions } from './dataplane';
export type { OriginalDstLookup } from './listener-manager';
export { protocolFromPort, SERVER_FIRST_PORTS, type DeclaredPort } from './port-protocols';
export type { SelfDescription, PeerLabels } from './peer-metadata';
export type { AccessLogMode, AccessLogEntry } from './access-log';
export type { RetryBudgetOptions } from './retry-budget';
export { DEFAULT_RETRY_POLICY } from './retry-policy';
export { FLAG, flagsToString, type FlagName } from './response-flags';
export { DATAPLANE_ERROR_CODES, DataplaneError, type DataplaneErrorCode } from './errors';
export { adminRoutes, serveRoutes, startHealthServer, isReady, type AdminDeps, type AdminRoute, type AdminResponse } from './admin-server';
export { statEntries, statsText, statsPrometheus, type XdsStatsSource } from './proxy-stats';
export { StaticSecretProvider, type SecretProvider, type SecretValue, type TlsCertificateSecret, type ValidationContextSecret } from './secrets';
