export * from './envoy-strict';
