export * from './workload-env';
export * from './mesh-client';
export * from './registry-entry';
export * from './announcer';
