// The admin client (how a local tool asks Citadel for a bootstrap token) is
// shared with the workload side: it lives in @sextant/workload-identity.
export { requestBootstrapToken, requestRootRotation, type AdminClientOptions } from '@sextant/workload-identity';
