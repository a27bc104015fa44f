// @sextant/registry: where services and endpoints come from. One interface,
// backends side by side: local (NATS KV), ServiceEntry, Kubernetes, memory,
// and the aggregate of several.
export { RegistryError, REGISTRY_ERROR_CODES, type RegistryErrorCode } from './errors';
export { pushRequestFor, type ServiceRegistry, type RegistryEvent, type RegistryListener, type ServiceRef } from './service-registry';
export { RegistryState } from './registry-state';
export { VipAllocator, DEFAULT_VIP_CIDR } from './vip-allocator';
export type { WorkloadInstance, WorkloadSource } from './workload-instance';
export { MemoryRegistry } from './memory-registry';
export { LocalRegistry, type LocalRegistryOptions } from './local-registry';
export { localServices, localHostname } from './local-convert';
export { ServiceEntryRegistry, type ServiceEntryRegistryOptions } from './serviceentry-registry';
export { serviceEntryServices, workloadEntryInstances, type ServiceEntryConversion } from './serviceentry-convert';
export { KubeRegistry, type KubeRegistryOptions } from './kube-registry';
export { convertService, convertEndpointSlices, externalNameEndpoints, podInstance, kubeHostname } from './kube-convert';
export { AggregateRegistry } from './aggregate-registry';
export { KubeSecretWatcher, convertKubeSecret, type KubeSecretConversion, type KubeSecretWatcherOptions, type SecretListener } from './kube-secrets';
