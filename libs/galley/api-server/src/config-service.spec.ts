// The config API over a real gRPC server and a real NATS KV bucket.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigStore } from '@sextant/config-store';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import { configServiceDefinition, type GalleyV1 } from '@sextant/proto';
import { silentLogger, waitFor } from '@sextant/util';
import { ConfigCallError, ConfigClient } from './config-client';
import { configServiceHandlers } from './config-service';
import { BAD_WEIGHT_VS, DEPLOYMENT, REVIEWS_DR, REVIEWS_VS, multi, startFixture, type Fixture } from './spec-helpers';

let fx: Fixture;
let server: grpc.Server;
let client: ConfigClient;
let store: ConfigStore;
let failAt = -1;

beforeAll(async () => {
  fx = await startFixture();
  const made = await fx.ingest({ beforeWrite: (_k, i) => { if (i === failAt) throw new Error('simulated KV failure'); } });
  store = made.store;
  server = createServer();
  server.addService(configServiceDefinition().service, configServiceHandlers(made.ingest, silentLogger()));
  const port = await bindServer(server, '127.0.0.1', 0);
  client = new ConfigClient(`127.0.0.1:${port}`);
});
afterAll(async () => {
  client?.close();
  if (server) await shutdownServer(server, 1_000);
  await fx?.close();
});

async function failure(p: Promise<unknown>): Promise<ConfigCallError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigCallError);
  return err as ConfigCallError;
}

describe('ConfigService over gRPC', () => {
  it('applies a multi-document manifest atomically and reports each resource', async () => {
    const res = await client.apply({ manifest: multi(REVIEWS_VS, REVIEWS_DR, DEPLOYMENT), source: 'bookinfo.yaml', fieldManager: 'test' });
    expect(res.applied.map((a) => [a.ref?.kind, a.ref?.name, a.action])).toEqual([
      ['VirtualService', 'reviews', 'created'],
      ['DestinationRule', 'reviews', 'created'],
    ]);
    expect(res.warnings.map((w) => w.reason)).toEqual(['Deployment (apps/v1) is not Istio configuration; skipped']);
    const again = await client.apply({ manifest: multi(REVIEWS_VS, REVIEWS_DR), source: 'bookinfo.yaml' });
    expect(again.applied.map((a) => a.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('refuses the whole manifest when one document of three is invalid: INVALID_ARGUMENT, every error, nothing stored', async () => {
    const other = REVIEWS_VS.replaceAll('reviews', 'details');
    const err = await failure(client.apply({ manifest: multi(other, BAD_WEIGHT_VS, REVIEWS_DR.replace('host: reviews', 'host: details').replace('name: reviews', 'name: details')), source: 'three.yaml' }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.errorCode).toBe('CONFIG_INVALID');
    expect(err.details).toBe('three.yaml#1 VirtualService/shop/ratings: spec.http[0].route[0].weight: must be >= 0 (got -5)');
    expect(err.fieldErrors).toEqual([
      { file: 'three.yaml', document: 1, ref: { kind: 'VirtualService', namespace: 'shop', name: 'ratings' }, path: 'spec.http[0].route[0].weight', reason: 'must be >= 0 (got -5)', code: 'OUT_OF_RANGE', severity: 'error' },
    ]);
    expect(await store.get({ kind: 'VirtualService', namespace: 'default', name: 'details' })).toBeUndefined();
    expect(await store.get({ kind: 'DestinationRule', namespace: 'default', name: 'details' })).toBeUndefined();
  });

  it('rolls back a batch whose write fails midway and says so', async () => {
    failAt = 1;
    const err = await failure(client.apply({ manifest: multi(REVIEWS_VS.replaceAll('reviews', 'a'), REVIEWS_VS.replaceAll('reviews', 'b')), source: 'x.yaml' }));
    failAt = -1;
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toMatch(/simulated KV failure; the 1 earlier write\(s\) were rolled back/);
    expect(await store.get({ kind: 'VirtualService', namespace: 'default', name: 'a' })).toBeUndefined();
  });

  it('validates without storing; dry_run apply stores nothing', async () => {
    const v = await client.validate({ manifest: multi(REVIEWS_VS, BAD_WEIGHT_VS), source: 'v.yaml' });
    expect(v.valid).toBe(false);
    expect(v.errors.map((e) => e.path)).toEqual(['spec.http[0].route[0].weight']);
    const dry = await client.apply({ manifest: REVIEWS_VS.replaceAll('reviews', 'dry'), dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, applied: [{ action: 'created', resourceVersion: '0' }] });
    expect(await store.get({ kind: 'VirtualService', namespace: 'default', name: 'dry' })).toBeUndefined();
  });

  it('gets and lists by any of Istio kind names; NOT_FOUND for a missing resource; INVALID_ARGUMENT for an unknown kind', async () => {
    for (const kind of ['VirtualService', 'virtualservice', 'vs', 'virtualservices', 'virtualservices.networking.istio.io']) {
      const r = await client.get({ kind, name: 'reviews' });
      expect(r.ref).toEqual({ kind: 'VirtualService', namespace: 'default', name: 'reviews' });
      expect(JSON.parse(r.json)).toMatchObject({ kind: 'VirtualService', metadata: { resourceVersion: r.resourceVersion, generation: 1 } });
    }
    expect((await client.list({ kind: 'dr' })).resources.map((r) => r.ref?.name)).toEqual(['reviews']);
    expect((await client.list({})).resources.length).toBe(2);
    expect((await failure(client.get({ kind: 'vs', name: 'nope' }))).code).toBe(grpc.status.NOT_FOUND);
    expect((await failure(client.get({ kind: 'Widget', name: 'x' }))).details).toMatch(/unknown kind "Widget"/);
  });

  it('refuses a stale resourceVersion with FAILED_PRECONDITION, on apply and on delete', async () => {
    const current = await client.get({ kind: 'vs', name: 'reviews' });
    const stale = REVIEWS_VS.replace('name: reviews', `name: reviews\n  resourceVersion: "${Number(current.resourceVersion) - 1}"`).replace('subset: v1', 'subset: v2');
    const err = await failure(client.apply({ manifest: stale }));
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err.details).toMatch(/was given, but the stored one is/);
    const del = await failure(client.delete({ refs: [{ kind: 'vs', name: 'reviews' }], expectedResourceVersion: 999 }));
    expect(del.code).toBe(grpc.status.FAILED_PRECONDITION);
    const fresh = REVIEWS_VS.replace('name: reviews', `name: reviews\n  resourceVersion: "${current.resourceVersion}"`).replace('subset: v1', 'subset: v2');
    expect((await client.apply({ manifest: fresh })).applied[0]?.action).toBe('configured');
  });

  it('keeps history and rolls back through validation', async () => {
    const h = await client.history({ kind: 'vs', name: 'reviews' });
    expect(h.entries.map((e) => e.operation)).toEqual(['PUT', 'PUT']);
    const back = await client.rollback({ ref: { kind: 'vs', name: 'reviews' }, fieldManager: 'test' });
    expect(back.action).toBe('configured');
    const now = JSON.parse((await client.get({ kind: 'vs', name: 'reviews' })).json) as { spec: { http: { route: { destination: { subset: string } }[] }[] }; metadata: { generation: number } };
    expect(now.spec.http[0]!.route[0]!.destination.subset).toBe('v1');
    expect(now.metadata.generation).toBe(3);
    expect((await failure(client.rollback({ ref: { kind: 'vs', name: 'reviews' }, toResourceVersion: 9999 }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('streams watch events: the state, SYNCED, then a batch with its id and end marker', async () => {
    const events: GalleyV1.WatchEvent__Output[] = [];
    const stream = client.watch({ includeInitial: true });
    stream.on('data', (e: GalleyV1.WatchEvent__Output) => events.push(e));
    stream.on('error', () => undefined);
    await waitFor(() => events.some((e) => e.type === 'SYNCED'), { timeoutMs: 5_000, what: 'SYNCED' });
    expect(events.map((e) => `${e.type} ${e.resource?.ref?.kind ?? ''}`)).toEqual(['ADDED DestinationRule', 'ADDED VirtualService', 'SYNCED ']);
    await client.apply({ manifest: multi(REVIEWS_VS.replaceAll('reviews', 'w1'), REVIEWS_VS.replaceAll('reviews', 'w2')) });
    await waitFor(() => events.length === 5, { timeoutMs: 5_000, what: 'batch events' });
    const batch = events.slice(3);
    expect(batch.map((e) => [e.type, e.resource?.ref?.name, e.batchEnd])).toEqual([
      ['ADDED', 'w1', false],
      ['ADDED', 'w2', true],
    ]);
    expect(batch[0]!.batch).toBeTruthy();
    expect(batch[1]!.batch).toBe(batch[0]!.batch);
    await client.delete({ refs: [{ kind: 'vs', name: 'w1' }] });
    await waitFor(() => events.length === 6, { timeoutMs: 5_000, what: 'delete event' });
    expect(events[5]).toMatchObject({ type: 'DELETED', batch: '', batchEnd: false });
    stream.cancel();
  });

  it('deletes by refs atomically: NOT_FOUND for any missing ref deletes none', async () => {
    const err = await failure(client.delete({ refs: [{ kind: 'vs', name: 'w2' }, { kind: 'vs', name: 'missing' }] }));
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(await store.get({ kind: 'VirtualService', namespace: 'default', name: 'w2' })).toBeDefined();
    const ok = await client.delete({ refs: [{ kind: 'vs', name: 'w2' }, { kind: 'dr', name: 'reviews' }] });
    expect(ok.deleted.map((r) => `${r.kind}/${r.name}`)).toEqual(['VirtualService/w2', 'DestinationRule/reviews']);
  });
});
