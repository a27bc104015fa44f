// Opens (creating when missing) the KV buckets of the contract with the
// settings each one needs. Idempotent: every service calls it on connect.
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { BUCKETS, WORKLOAD_TTL_MS } from './contracts';

export type BucketName = (typeof BUCKETS)[keyof typeof BUCKETS];

const BUCKET_OPTIONS: Record<BucketName, Partial<KvOptions>> = {
  [BUCKETS.config]: { history: 64, storage: 'file', description: 'Sextant config: validated Istio resources' },
  [BUCKETS.workloads]: { history: 1, ttl: WORKLOAD_TTL_MS, storage: 'file', description: 'Sextant workload instances (expiring)' },
  [BUCKETS.trust]: { history: 16, storage: 'file', description: 'Sextant trust bundle' },
};

export async function openBucket(nc: NatsConnection, name: BucketName): Promise<KV> {
  const kvm = new Kvm(nc);
  return kvm.create(name, BUCKET_OPTIONS[name]);
}

export async function openAllBuckets(nc: NatsConnection): Promise<Record<BucketName, KV>> {
  const out = {} as Record<BucketName, KV>;
  for (const name of Object.values(BUCKETS)) out[name] = await openBucket(nc, name);
  return out;
}

export const jsonCodec = {
  encode: (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value)),
  decode: <T>(data: Uint8Array): T => JSON.parse(new TextDecoder().decode(data)) as T,
};
