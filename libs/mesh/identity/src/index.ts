// @sextant/workload-identity: the workload side of the mesh's identity.
// Formats shared with Citadel (trust bundle document, renewal token, chain
// checks, the admin client for bootstrap tokens) and the agent that keeps a
// workload's SPIFFE certificate fresh (WorkloadCertManager) and serves it to
// the data plane as SDS-like secrets (`default`, `ROOTCA`).
export * from './trust-bundle';
export * from './spiffe';
export * from './chain';
export * from './renewal-token';
export * from './citadel-admin';
export * from './csr';
export * from './secrets';
export * from './metrics';
export * from './ca-client';
export * from './trust-watcher';
export * from './cert-manager';
export * from './sa-token';
