// Test helpers: a real nats-server and a fresh bucket per test.
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@sextant/config-model';
import { spawnNatsServer, type SpawnedNats } from '@sextant/util';
import type { ConfigUpdate, ConfigWatch } from './batch-watcher';

export interface NatsFixture {
  nats: SpawnedNats;
  nc: NatsConnection;
  bucket(): Promise<KV>;
  close(): Promise<void>;
}

let counter = 0;

export async function startNats(): Promise<NatsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'config-store-'));
  const nats = await spawnNatsServer({ dataDir: dir });
  const nc = await connect({ servers: nats.url });
  return {
    nats,
    nc,
    bucket: () => new Kvm(nc).create(`test_config_${process.pid}_${++counter}`, { history: 64, storage: 'file' }),
    async close() {
      await nc.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function vs(name: string, hosts: string[] = ['reviews'], extra: Partial<Resource['metadata']> = {}, namespace = 'default'): Resource {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace, ...extra },
    spec: { hosts, http: [{ route: [{ destination: { host: hosts[0] } }] }] },
  };
}

/** Collects updates from a watch in the background. */
export function collect(watch: ConfigWatch): { updates: ConfigUpdate[]; done: Promise<unknown> } {
  const updates: ConfigUpdate[] = [];
  const done = (async () => {
    for await (const u of watch) updates.push(u);
  })().catch((e: unknown) => e);
  return { updates, done };
}
