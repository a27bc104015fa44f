export * from './contracts';
export * from './nats-link';
export * from './buckets';
export type { NatsConnection } from '@nats-io/transport-node';
export type { KV, KvEntry } from '@nats-io/kv';
