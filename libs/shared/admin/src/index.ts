export * from './admin-server';
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
