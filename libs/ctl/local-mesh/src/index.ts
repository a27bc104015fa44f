export * from './workloads-file';
export * from './components';
export * from './allocate';
export * from './state';
export * from './local-mesh';
export * from './status';
export * from './down';
export * from './managed-process';
