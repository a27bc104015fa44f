// Test helpers: a real nats-server, a fresh bucket per store, the ingest path.
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore } from '@sextant/config-store';
import { silentLogger, spawnNatsServer, type SpawnedNats } from '@sextant/util';
import { ConfigIngest } from './config-ingest';

export interface Fixture {
  nats: SpawnedNats;
  nc: NatsConnection;
  /** A store on a fresh bucket, and the ingest path over it. */
  ingest(opts?: { beforeWrite?: (key: string, i: number) => void | Promise<void> }): Promise<{ ingest: ConfigIngest; store: ConfigStore }>;
  close(): Promise<void>;
}

let counter = 0;

export async function startFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-api-'));
  const nats = await spawnNatsServer({ dataDir: dir });
  const nc = await connect({ servers: nats.url });
  return {
    nats,
    nc,
    async ingest(opts = {}) {
      const kv = await new Kvm(nc).create(`api_${process.pid}_${++counter}`, { history: 64, storage: 'file' });
      const ingest: ConfigIngest = new ConfigIngest({ store: () => store, logger: silentLogger() });
      const store = new ConfigStore({ kv, admit: ingest.admit, beforeWrite: opts.beforeWrite });
      return { ingest, store };
    },
    async close() {
      await nc.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const REVIEWS_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
`;

export const REVIEWS_DR = `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
`;

/** A VirtualService with a negative weight: one error at spec.http[0].route[0].weight. */
export const BAD_WEIGHT_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: shop
spec:
  hosts:
  - ratings
  http:
  - route:
    - destination:
        host: ratings
      weight: -5
`;

export const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec: {}
`;

export const multi = (...docs: string[]) => docs.join('---\n');
