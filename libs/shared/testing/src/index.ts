// Test harness: real processes and servers, started and stopped by tests.
export { spawnNatsServer, type SpawnedNats } from '@sextant/util';
export * from './temp-dir';
export * from './built-app';
export * from './service-boot';
export * from './boot-contract';
