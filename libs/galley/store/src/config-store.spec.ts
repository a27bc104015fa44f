import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KV } from '@nats-io/kv';
import { ConditionType } from '@sextant/config-model';
import { decodeKey } from '@sextant/util';
import { ConfigStore } from './config-store';
import { ConfigStoreError } from './errors';
import { startNats, vs, type NatsFixture } from './spec-helpers';

let fx: NatsFixture;
beforeAll(async () => {
  fx = await startNats();
});
afterAll(async () => fx?.close());

async function fresh(opts: Partial<ConstructorParameters<typeof ConfigStore>[0]> = {}): Promise<{ store: ConfigStore; kv: KV }> {
  const kv = await fx.bucket();
  return { kv, store: new ConfigStore({ kv, ...opts }) };
}

const ref = (name: string, namespace = 'default', kind = 'VirtualService') => ({ kind, namespace, name });

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigStoreError);
  return (err as ConfigStoreError).code;
}

describe('ConfigStore on a real NATS KV bucket', () => {
  it('stores a resource under a reversible key, with resourceVersion = KV revision, generation, timestamp and Accepted', async () => {
    const { store, kv } = await fresh();
    const r = await store.apply([vs('reviews.v1')]);
    expect(r.results[0]).toMatchObject({ action: 'created', revision: 1 });
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    expect(keys).toEqual(['VirtualService.default.reviews_2Ev1']);
    expect(decodeKey(keys[0]!)).toEqual(['VirtualService', 'default', 'reviews.v1']);

    const got = await store.require(ref('reviews.v1'));
    expect(got.revision).toBe(1);
    expect(got.resource.metadata).toMatchObject({ name: 'reviews.v1', namespace: 'default', resourceVersion: '1', generation: 1 });
    expect(got.resource.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(got.resource.status?.conditions).toEqual([expect.objectContaining({ type: 'Accepted', status: 'True', observedGeneration: 1 })]);
    // The stored value is the resource JSON (no resourceVersion inside: the revision is the KV's).
    const raw = JSON.parse(new TextDecoder().decode((await kv.get(keys[0]!))!.value)) as { metadata: Record<string, unknown> };
    expect(raw.metadata['resourceVersion']).toBeUndefined();
    expect(await store.get(ref('nope'))).toBeUndefined();
    expect(await code(store.require(ref('nope')))).toBe('STORE_NOT_FOUND');
  });

  it('bumps generation only when the spec changes, keeps creationTimestamp and uid, skips unchanged', async () => {
    const { store } = await fresh();
    const first = (await store.apply([vs('a')])).results[0]!;
    expect((await store.apply([vs('a')])).results[0]).toMatchObject({ action: 'unchanged', revision: first.revision });
    const labelled = (await store.apply([vs('a', ['reviews'], { labels: { team: 'x' } })], { fieldManager: 'alice' })).results[0]!;
    expect(labelled).toMatchObject({ action: 'configured' });
    expect(labelled.resource!.metadata.generation).toBe(1);
    expect(labelled.resource!.metadata.annotations).toEqual({ 'sextant.io/field-manager': 'alice' });
    const changed = (await store.apply([vs('a', ['ratings'], { labels: { team: 'x' } })])).results[0]!;
    expect(changed.resource!.metadata.generation).toBe(2);
    expect(changed.resource!.metadata.creationTimestamp).toBe(first.resource!.metadata.creationTimestamp);
    expect(changed.resource!.metadata.uid).toBe(first.resource!.metadata.uid);
  });

  it('lists with kind and namespace filters, sorted, without deleted resources', async () => {
    const { store } = await fresh();
    await store.apply([vs('b'), vs('a'), vs('c', ['x'], {}, 'other')]);
    await store.delete([ref('b')]);
    expect((await store.list()).map((s) => `${s.ref.namespace}/${s.ref.name}`)).toEqual(['default/a', 'other/c']);
    expect((await store.list({ namespace: 'other' })).map((s) => s.ref.name)).toEqual(['c']);
    expect(await store.list({ kind: 'Gateway' })).toEqual([]);
  });

  it('refuses a stale resourceVersion on apply and delete (STORE_STALE) and writes nothing', async () => {
    const { store } = await fresh();
    const { results } = await store.apply([vs('a'), vs('b')]);
    await store.apply([vs('a', ['v2'])]);
    const stale = { ...vs('a', ['v3']), metadata: { ...vs('a').metadata, resourceVersion: String(results[0]!.revision) } };
    const err = await store.apply([vs('c'), stale]).catch((e: ConfigStoreError) => e);
    expect(err).toMatchObject({ code: 'STORE_STALE' });
    expect((err as Error).message).toContain(`VirtualService/default/a: resourceVersion ${results[0]!.revision} was given, but the stored one is 3`);
    expect(await store.get(ref('c'))).toBeUndefined();
    expect(await code(store.delete([ref('b')], { expectedRevision: 99 }))).toBe('STORE_STALE');
    expect(await code(store.delete([ref('zz')]))).toBe('STORE_NOT_FOUND');
    // The right revision succeeds.
    const current = await store.require(ref('a'));
    const fine = { ...vs('a', ['v3']), metadata: { ...vs('a').metadata, resourceVersion: String(current.revision) } };
    expect((await store.apply([fine])).results[0]!.action).toBe('configured');
    await store.delete([ref('b')], { expectedRevision: results[1]!.revision });
    expect(await store.get(ref('b'))).toBeUndefined();
  });

  it('does not write on a dry run', async () => {
    const { store } = await fresh();
    const r = await store.apply([vs('a')], { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, results: [{ action: 'created', revision: 0 }] });
    expect(await store.list()).toEqual([]);
  });

  it('rolls back the earlier writes of a batch when a later write fails', async () => {
    let failAt = -1;
    const { store, kv } = await fresh({ beforeWrite: (_key, i) => { if (i === failAt) throw new Error('simulated NATS failure'); } });
    await store.apply([vs('keep', ['old'])]);
    const before = await store.require(ref('keep'));
    failAt = 2;
    const err = await store.apply([vs('keep', ['new']), vs('fresh1'), vs('fresh2')]).catch((e: ConfigStoreError) => e);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/simulated NATS failure; the 2 earlier write\(s\) were rolled back/);
    failAt = -1;
    expect(await store.get(ref('fresh1'))).toBeUndefined();
    expect(await store.get(ref('fresh2'))).toBeUndefined();
    const after = await store.require(ref('keep'));
    expect(after.resource.spec).toEqual(before.resource.spec);
    expect(after.resource.metadata.generation).toBe(1);
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    expect(keys).toEqual(['VirtualService.default.keep']);
  });

  it('fails a batch and rolls back when another writer changed an entry during it', async () => {
    const { store, kv } = await fresh();
    await store.apply([vs('a'), vs('b')]);
    const other = new ConfigStore({ kv, beforeWrite: undefined });
    const racing = new ConfigStore({
      kv,
      beforeWrite: async (_key, i) => {
        if (i === 1) await other.apply([vs('b', ['sneaky'])]);
      },
    });
    const err = await racing.apply([vs('a', ['mine']), vs('b', ['mine'])]).catch((e: ConfigStoreError) => e);
    expect(err).toMatchObject({ code: 'STORE_STALE' });
    expect((await store.require(ref('a'))).resource.spec).toEqual(vs('a').spec);
    expect((await store.require(ref('b'))).resource.spec).toEqual(vs('b', ['sneaky']).spec);
  });

  it('keeps history and rolls back to the previous or a named revision, through admit', async () => {
    const admitted: string[] = [];
    const { store } = await fresh({
      admit: (r) => {
        admitted.push(JSON.stringify(r.spec));
        if ((r.spec as { hosts: string[] }).hosts[0] === 'forbidden') throw new ConfigStoreError('STORE_INVALID', 'spec.hosts[0]: forbidden');
        return r;
      },
    });
    const r1 = (await store.apply([vs('a', ['one'])])).results[0]!.revision;
    await store.setCondition(ref('a'), { type: 'Reconciled', status: 'True' });
    await store.apply([vs('a', ['two'])]);
    const history = await store.history(ref('a'));
    expect(history.map((h) => [h.operation, (h.resource?.spec as { hosts: string[] }).hosts[0]])).toEqual([
      ['PUT', 'one'],
      ['PUT', 'one'],
      ['PUT', 'two'],
    ]);
    // Default: the latest earlier revision that differs (the status-only one is skipped over).
    const back = await store.rollback(ref('a'));
    expect(back.action).toBe('configured');
    expect((back.resource!.spec as { hosts: string[] }).hosts).toEqual(['one']);
    expect(back.resource!.metadata.generation).toBe(3);
    expect(admitted).toEqual([JSON.stringify(vs('a', ['one']).spec)]);
    // A named revision.
    await store.rollback(ref('a'), { toRevision: history[2]!.revision });
    expect(((await store.require(ref('a'))).resource.spec as { hosts: string[] }).hosts).toEqual(['two']);
    // Unknown revision, and a revision refused by admit.
    expect(await code(store.rollback(ref('a'), { toRevision: 999 }))).toBe('STORE_NOT_FOUND');
    await store.apply([vs('a', ['forbidden'])]).catch(() => undefined);
    expect(r1).toBe(1);
  });

  it('restores a deleted resource by rollback, and refuses to roll back to a deletion', async () => {
    const { store } = await fresh({ admit: (r) => r });
    await store.apply([vs('gone', ['x'])]);
    await store.delete([ref('gone')]);
    const history = await store.history(ref('gone'));
    expect(history.map((h) => h.operation)).toEqual(['PUT', 'DEL']);
    expect(await code(store.rollback(ref('gone'), { toRevision: history[1]!.revision }))).toBe('STORE_INVALID');
    const back = await store.rollback(ref('gone'));
    expect(back.action).toBe('created');
    expect(await store.get(ref('gone'))).toBeDefined();
  });

  it('sets status conditions without changing the generation', async () => {
    const { store } = await fresh();
    await store.apply([vs('a')]);
    const s = await store.setCondition(ref('a'), { type: ConditionType.Rejected, status: 'True', reason: 'NoRoute', message: 'no such host' });
    expect(s.resource.metadata.generation).toBe(1);
    expect(s.resource.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'True', 'Stored'],
      ['Rejected', 'True', 'NoRoute'],
    ]);
    // A spec change drops the Rejected verdict about the old generation.
    const next = (await store.apply([vs('a', ['other'])])).results[0]!;
    expect(next.resource!.status?.conditions?.map((c) => c.type)).toEqual(['Accepted']);
    expect(await code(store.setCondition(ref('zz'), { type: 'Rejected', status: 'True' }))).toBe('STORE_NOT_FOUND');
  });

  it('refuses a batch that names one resource twice', async () => {
    const { store } = await fresh();
    expect(await code(store.apply([vs('a'), vs('a', ['b'])]))).toBe('STORE_INVALID');
  });
});
