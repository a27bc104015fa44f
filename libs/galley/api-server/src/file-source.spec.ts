// --config-dir against a real directory and a real NATS KV bucket.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigStore } from '@sextant/config-store';
import { silentLogger, waitFor } from '@sextant/util';
import type { ConfigIngest } from './config-ingest';
import { FileSource } from './file-source';
import { BAD_WEIGHT_VS, DEPLOYMENT, REVIEWS_DR, REVIEWS_VS, multi, startFixture, type Fixture } from './spec-helpers';

let fx: Fixture;
let dir: string;
let store: ConfigStore;
let ingest: ConfigIngest;
let source: FileSource;

beforeAll(async () => {
  fx = await startFixture();
  ({ store, ingest } = await fx.ingest());
  dir = mkdtempSync(join(tmpdir(), 'config-dir-'));
});
afterAll(async () => {
  source?.stop();
  rmSync(dir, { recursive: true, force: true });
  await fx?.close();
});

const names = async () => (await store.list()).map((s) => `${s.ref.kind}/${s.ref.namespace}/${s.ref.name}`);
const fileStatus = (file: string) => source.status().files.find((f) => f.file === file);

describe('FileSource', () => {
  it('applies every file at start, one batch per file, skipping non-Istio documents and other extensions', async () => {
    writeFileSync(join(dir, 'reviews.yaml'), multi(REVIEWS_VS, REVIEWS_DR, DEPLOYMENT));
    writeFileSync(join(dir, 'gateway.yml'), REVIEWS_VS.replaceAll('reviews', 'ratings'));
    writeFileSync(join(dir, 'notes.txt'), 'not config');
    const watch = store.watch();
    const updates: { batch?: string; changes: unknown[] }[] = [];
    void (async () => {
      for await (const u of watch) updates.push(u);
    })();
    source = new FileSource({ dir, ingest, logger: silentLogger(), debounceMs: 50 });
    await source.start();
    expect(await names()).toEqual(['DestinationRule/default/reviews', 'VirtualService/default/ratings', 'VirtualService/default/reviews']);
    expect(fileStatus('reviews.yaml')).toMatchObject({ status: 'applied', resources: ['VirtualService/default/reviews', 'DestinationRule/default/reviews'] });
    await waitFor(() => updates.length >= 3, { timeoutMs: 5_000, what: 'updates' });
    // gateway.yml (one resource) and reviews.yaml (a batch of two, delivered together).
    expect(updates.slice(1).map((u) => u.changes.length).sort()).toEqual([1, 2]);
    expect(updates.find((u) => u.changes.length === 2)?.batch).toBeTruthy();
    watch.stop();
    const stored = await store.require({ kind: 'VirtualService', namespace: 'default', name: 'reviews' });
    expect(stored.resource.metadata.annotations?.['sextant.io/field-manager']).toBe('file:reviews.yaml');
  });

  it('applies a change, deleting what the file no longer holds', async () => {
    writeFileSync(join(dir, 'reviews.yaml'), REVIEWS_VS.replace('subset: v1', 'subset: v2'));
    await waitFor(async () => !(await names()).includes('DestinationRule/default/reviews'), { timeoutMs: 5_000, what: 'DestinationRule removed' });
    const vs = await store.require({ kind: 'VirtualService', namespace: 'default', name: 'reviews' });
    expect(JSON.stringify(vs.resource.spec)).toContain('"subset":"v2"');
    expect(vs.resource.metadata.generation).toBe(2);
  });

  it('reports a file that becomes invalid and keeps its last good resources', async () => {
    writeFileSync(join(dir, 'reviews.yaml'), multi(REVIEWS_VS.replace('subset: v1', 'subset: v3'), BAD_WEIGHT_VS));
    await waitFor(() => fileStatus('reviews.yaml')?.status === 'invalid', { timeoutMs: 5_000, what: 'invalid status' });
    expect(fileStatus('reviews.yaml')).toMatchObject({
      resources: ['VirtualService/default/reviews'],
      errors: ['reviews.yaml#1 VirtualService/shop/ratings: spec.http[0].route[0].weight: must be >= 0 (got -5)'],
    });
    const vs = await store.require({ kind: 'VirtualService', namespace: 'default', name: 'reviews' });
    expect(JSON.stringify(vs.resource.spec)).toContain('"subset":"v2"');
    // Fixed again: applied.
    writeFileSync(join(dir, 'reviews.yaml'), REVIEWS_VS.replace('subset: v1', 'subset: v3'));
    await waitFor(() => fileStatus('reviews.yaml')?.status === 'applied', { timeoutMs: 5_000, what: 'applied again' });
    expect(JSON.stringify((await store.require({ kind: 'VirtualService', namespace: 'default', name: 'reviews' })).resource.spec)).toContain('"subset":"v3"');
  });

  it('deletes what a removed file had applied', async () => {
    unlinkSync(join(dir, 'gateway.yml'));
    await waitFor(async () => !(await names()).includes('VirtualService/default/ratings'), { timeoutMs: 5_000, what: 'ratings removed' });
    expect(fileStatus('gateway.yml')).toBeUndefined();
    expect(await names()).toEqual(['VirtualService/default/reviews']);
  });

  it('on a new start, deletes resources of files removed while it was not running', async () => {
    source.stop();
    unlinkSync(join(dir, 'reviews.yaml'));
    writeFileSync(join(dir, 'new.yaml'), REVIEWS_DR);
    source = new FileSource({ dir, ingest, logger: silentLogger(), debounceMs: 50 });
    await source.start();
    expect(await names()).toEqual(['DestinationRule/default/reviews']);
  });
});
