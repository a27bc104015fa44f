export * from './workload-env';
export * from './mesh-client';
